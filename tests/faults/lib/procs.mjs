// The stack's processes for the fault tests: scripts/stack.sh commands
// (db-kill, db-pause, fcgi-workers, …), the master and its workers, their
// memory and descriptors from /proc, and putting the stack back.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { env } from '../../lib/stack.mjs';

// FastCGI sockets a process may hold when idle: the listening socket
// only, since nginx opens a connection per request and the worker closes
// it after the answer.
export const IDLE_FCGI_CONNS = 1;

export { alive } from '../../lib/jobs.mjs';

const run = promisify(execFile);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** bash scripts/stack.sh CMD for this stack's VAR; its stdout. */
export async function stack(cmd) {
	const { stdout } = await run('bash', [env.PESASWAP_STACK, cmd],
	    { env: process.env, timeout: 120000 });
	return stdout;
}

/** The same, timed: { stdout, stderr, ms }. */
export async function stackTimed(cmd) {
	const t = Date.now();
	const { stdout, stderr } = await run('bash', [env.PESASWAP_STACK, cmd],
	    { env: process.env, timeout: 120000 });
	return { stdout, stderr, ms: Date.now() - t };
}


/** The pesaswap-fcgi master's pid, or null when it is not running. */
export async function masterPid() {
	try {
		const pid = Number((await stack('fcgi-pid')).trim());
		return Number.isInteger(pid) && pid > 1 ? pid : null;
	} catch {
		return null;
	}
}

/** The master's live workers, sorted (stack.sh fcgi-workers). */
export async function workerPids() {
	try {
		return (await stack('fcgi-workers')).split(/\s+/).filter(Boolean)
		    .map(Number).sort((a, b) => a - b);
	} catch {
		return [];
	}
}

/**
 * True when worker PID is inside a request: it holds a connection from
 * nginx besides the listening socket. A worker accepts, answers and
 * closes each connection (worker.c), so that is exactly while a client
 * waits for it; "not in epoll_wait" also caught the moments after an
 * answer had gone (the close, the next accept).
 */
export function busy(pid) {
	return (usage(pid)?.fcgiConns ?? 0) > IDLE_FCGI_CONNS;
}

/** GET /healthz until 200; false after MS. */
export async function waitHealthy(ms = 60000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		try {
			const res = await fetch(`${env.PESASWAP_API_URL}/healthz`,
			    { signal: AbortSignal.timeout(5000) });
			await res.arrayBuffer();
			if (res.status === 200)
				return true;
		} catch { /* not yet */ }
		await sleep(200);
	}
	return false;
}

/** Waits until the master has N live workers; the pids, or null. */
export async function waitWorkers(n, ms = 30000) {
	const end = Date.now() + ms;
	for (;;) {
		const w = await workerPids();
		if (w.length === n)
			return w;
		if (Date.now() > end)
			return null;
		await sleep(200);
	}
}

/**
 * Puts the stack back whatever a test did: MariaDB resumed and started,
 * pesaswap-fcgi started with WORKERS workers, /healthz 200. Throws when
 * it cannot.
 */
export async function restoreStack(workers) {
	const errors = [];
	for (const cmd of ['db-resume', 'db-start', 'fcgi-start'])
		try {
			await stack(cmd);
		} catch (e) {
			// db-resume fails when MariaDB is not running: db-start next
			if (cmd !== 'db-resume')
				errors.push(`${cmd}: ${e.stderr || e.message}`);
		}
	if (!await waitHealthy(60000))
		errors.push('/healthz is not 200 after 60 s');
	if (workers && !await waitWorkers(workers, 30000))
		errors.push(`the master has not ${workers} workers after 30 s`);
	if (errors.length)
		throw new Error(`the stack could not be restored: ${errors.join('; ')}`);
}

// Inodes of the unix sockets bound to PATH: the listening socket and
// every connection accepted from it (the kernel gives those its path).
function socketInodes(path) {
	const out = new Set();
	for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n')
	    .slice(1)) {
		const f = line.trim().split(/\s+/);
		if (f.length >= 8 && f.slice(7).join(' ') === path)
			out.add(f[6]);
	}
	return out;
}

/**
 * Memory and descriptors of PID: { rss (KiB, VmRSS), fds (all open
 * descriptors), fcgiConns (those that are connections from nginx on the
 * FastCGI socket), other (fds - fcgiConns) }, or null when it is gone.
 */
export function usage(pid) {
	const fcgi = socketInodes(join(env.PESASWAP_VAR, 'run', 'fcgi.sock'));
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
		let fds = 0, fcgiConns = 0;
		for (const fd of readdirSync(`/proc/${pid}/fd`)) {
			let link;
			try {
				link = readlinkSync(`/proc/${pid}/fd/${fd}`);
			} catch {
				continue;	/* closed meanwhile */
			}
			fds++;
			const m = /^socket:\[(\d+)\]$/.exec(link);
			if (m && fcgi.has(m[1]))
				fcgiConns++;
		}
		return { rss, fds, fcgiConns, other: fds - fcgiConns };
	} catch {
		return null;
	}
}

/** usage() of the master and of each worker: { master, workers: {pid: u} }. */
export async function snapshot() {
	const master = await masterPid();
	const workers = {};
	for (const pid of await workerPids())
		workers[pid] = usage(pid);
	return { masterPid: master, master: master ? usage(master) : null, workers };
}
