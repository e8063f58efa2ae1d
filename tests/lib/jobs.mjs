// pesaswap-jobs for the webhook tests: the stack's instance (started,
// stopped, killed through `scripts/stack.sh jobs-start|jobs-stop|jobs-pid`),
// and extra private instances spawned here, so a test can run two at once.
// When stack.sh has no jobs-* commands (an older checkout), the stack's
// instance is one spawned here too: the tests do not care which.
//
// A spawned instance gets the stack's PESASWAP_DB_* settings (stack.mjs's
// env), PESASWAP_SECRETS_KEY from the environment or VAR/secrets.key (the
// key stack.sh gives pesaswap-fcgi: both must have the same one), and
// PESASWAP_WEBHOOK_RETRY_MS and PESASWAP_JOBS_* when set. Its output goes
// to VAR/log/jobs-test.log.
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { env } from './stack.mjs';

const run = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The first retry delay of pesaswap-jobs (its default: 10 s) as this
 * process's environment gives it to the instances started here.
 */
export const RETRY_MS = Number(process.env.PESASWAP_WEBHOOK_RETRY_MS) || 10000;
/** How long a claimed delivery is leased (jobs.c LEASE_MS). */
export const LEASE_MS = 15000;

/** True when the process PID exists and is not a zombie. */
export function alive(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

/** Waits until PID is gone (or a zombie); false after MS. */
export async function waitGone(pid, ms = 20000) {
	const end = Date.now() + ms;
	while (alive(pid)) {
		if (Date.now() > end)
			return false;
		await sleep(50);
	}
	return true;
}

function secretsKey() {
	if (process.env.PESASWAP_SECRETS_KEY)
		return process.env.PESASWAP_SECRETS_KEY;
	const f = join(env.PESASWAP_VAR, 'secrets.key');
	return existsSync(f) ? readFileSync(f, 'utf8').trim() : undefined;
}

// The environment of a spawned pesaswap-jobs.
function jobsEnv(extra = {}) {
	const out = { PATH: process.env.PATH };
	for (const k of ['PESASWAP_DB_HOST', 'PESASWAP_DB_PORT',
	    'PESASWAP_DB_SOCKET', 'PESASWAP_DB_USER', 'PESASWAP_DB_PASSWORD',
	    'PESASWAP_DB_NAME', 'PESASWAP_WEBHOOK_RETRY_MS',
	    'PESASWAP_JOBS_POLL_MS', 'PESASWAP_JOBS_CONCURRENCY',
	    'PESASWAP_LOG_LEVEL'])
		if (process.env[k] !== undefined)
			out[k] = process.env[k];
	const key = secretsKey();
	if (!/^[0-9a-fA-F]{64}$/.test(key ?? ''))
		throw new Error('PESASWAP_SECRETS_KEY (64 hex characters) is ' +
		    'neither in the environment nor in VAR/secrets.key');
	out.PESASWAP_SECRETS_KEY = key;
	return { ...out, ...extra };
}

const spawned = new Set();	// our own children, killed at exit
process.on('exit', () => {
	for (const c of spawned)
		try {
			c.kill('SIGKILL');
		} catch { /* gone */ }
});

/**
 * Starts one more pesaswap-jobs of our own. Returns {pid, exited (a
 * promise of the exit code or signal), stop() (SIGTERM, waits), kill()
 * (SIGKILL, waits)}.
 */
export async function spawnJobs(extraEnv = {}) {
	const bin = join(env.PESASWAP_BUILD, 'fcgi', 'pesaswap-jobs');
	if (!existsSync(bin))
		throw new Error(`no ${bin}`);
	const fd = openSync(join(env.PESASWAP_VAR, 'log', 'jobs-test.log'), 'a');
	let child;
	try {
		child = spawn(bin, [], { env: jobsEnv(extraEnv),
		    stdio: ['ignore', fd, fd] });
	} finally {
		closeSync(fd);
	}
	spawned.add(child);
	const exited = new Promise((resolve) => child.on('exit',
	    (code, sig) => {
		spawned.delete(child);
		resolve(sig ?? code);
	    }));
	await new Promise((resolve, reject) => {
		child.once('spawn', resolve);
		child.once('error', reject);
	});
	const stopWith = async (sig) => {
		if (child.exitCode === null && child.signalCode === null)
			child.kill(sig);
		const t = setTimeout(() => child.kill('SIGKILL'), 20000);
		await exited;
		clearTimeout(t);
	};
	// It runs once it has connected to MariaDB; a bad configuration makes
	// it exit at once.
	await sleep(300);
	if (!alive(child.pid))
		throw new Error('pesaswap-jobs exited at start (see ' +
		    'VAR/log/jobs-test.log)');
	return { pid: child.pid, exited, stop: () => stopWith('SIGTERM'),
	    kill: () => stopWith('SIGKILL') };
}

// ---- the stack's instance ----

let viaStack;	// does stack.sh have jobs-start/-stop/-pid?
function stackHasJobs() {
	if (viaStack === undefined) {
		try {
			viaStack = /jobs-start\)/.test(
			    readFileSync(env.PESASWAP_STACK, 'utf8'));
		} catch {
			viaStack = false;
		}
	}
	return viaStack;
}

async function stack(cmd) {
	try {
		const { stdout } = await run('bash', [env.PESASWAP_STACK, cmd],
		    { env: process.env, timeout: 60000 });
		return stdout;
	} catch (e) {
		// jobs-pid exits non-zero when none runs
		if (cmd === 'jobs-pid')
			return '';
		throw new Error(`stack.sh ${cmd}: ${e.stderr || e.message}`);
	}
}

let own;	// the instance we run ourselves when stack.sh cannot

/** The pid of the stack's pesaswap-jobs, or null when none runs. */
export async function jobsPid() {
	if (!stackHasJobs())
		return own && alive(own.pid) ? own.pid : null;
	const pid = Number((await stack('jobs-pid')).trim());
	return Number.isInteger(pid) && pid > 1 && alive(pid) ? pid : null;
}

/**
 * The first retry delay of the running pesaswap-jobs PID, read from its
 * environment (Linux /proc), else RETRY_MS: the stack may have been
 * started with another setting than this process has.
 */
export function retryMsOf(pid) {
	try {
		const vars = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
		const v = vars.find((x) => x.startsWith('PESASWAP_WEBHOOK_RETRY_MS='));
		if (v === undefined)
			return 10000;
		return Number(v.slice(v.indexOf('=') + 1)) || 10000;
	} catch {
		return RETRY_MS;
	}
}

/** Starts the stack's pesaswap-jobs (nothing if it runs). Returns its pid. */
export async function startJobs() {
	if (!stackHasJobs()) {
		if (!own || !alive(own.pid))
			own = await spawnJobs();
		return own.pid;
	}
	await stack('jobs-start');
	const pid = await jobsPid();
	if (pid === null)
		throw new Error('stack.sh jobs-start: no pesaswap-jobs runs');
	return pid;
}

/** Stops the stack's pesaswap-jobs with SIGTERM and waits. */
export async function stopJobs() {
	if (!stackHasJobs()) {
		await own?.stop();
		own = undefined;
		return;
	}
	await stack('jobs-stop');
}

/** SIGKILLs the stack's pesaswap-jobs and waits until it is gone. */
export async function killJobs() {
	const pid = await jobsPid();
	if (pid === null)
		return;
	if (!stackHasJobs()) {
		await own.kill();
		own = undefined;
		return;
	}
	process.kill(pid, 'SIGKILL');
	if (!await waitGone(pid, 10000))
		throw new Error(`pesaswap-jobs ${pid} survives SIGKILL`);
}
