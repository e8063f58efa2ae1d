// One fault scenario from start to end, shared by the tests/faults files:
// an account with one key per client, a warm-up, the load while the
// scenario's faults run, a settling pass, the checks, the leak
// measurement, and the summary line (printed, and appended to
// VAR/log/faults-summary.log).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, newAccount, newKey } from '../../lib/stack.mjs';
import { runLoad, settle } from './load.mjs';
import { verifyWrites, verifyAnalytics } from './checks.mjs';
import { IDLE_FCGI_CONNS, restoreStack, snapshot, waitHealthy, workerPids,
    sleep } from './procs.mjs';

export const CLIENTS = 8;
export const LOAD_MS = 25000;		/* the load of one scenario */
export const MAX_REQUESTS = 3000;	/* logical requests, all clients */
export const RATE = 15;			/* logical requests per client per s */
// The leak measurement: a warm-up, then this many requests between the
// two readings of RSS and descriptors.
export const LEAK_WARMUP = 400;
export const LEAK_REQUESTS = 1200;
// RSS a process may gain over LEAK_REQUESTS after the warm-up: malloc
// keeps freed memory in its arenas, so a few pages come and go; a leak of
// even 100 bytes a request (120 KiB here) shows above it in a few runs,
// one of 1 KiB a request at once.
export const RSS_TOLERANCE_KB = 256;

export class Scenario {
	/** NAME tags its keys; LOAD (runLoad options) overrides the defaults. */
	constructor(name, load = {}) {
		this.name = name;
		this.load = load;
		this.faults = 0;
		this.faultLog = [];
	}

	/** Account, keys, warm-up; the stack's worker count and usage. */
	async setup() {
		if (!await waitHealthy(60000))
			throw new Error('the stack is not healthy before the test');
		this.workers = (await workerPids()).length;
		if (this.workers < 1)
			throw new Error('pesaswap-fcgi has no workers');
		this.account = await newAccount(`faults-${this.name}`);
		this.keys = [];
		for (let i = 0; i < CLIENTS; i++)
			this.keys.push((await newKey(this.account)).key);
		await runLoad({ keys: this.keys, tag: `${this.name}-warm`,
		    maxRequests: LEAK_WARMUP, rate: 1000 });
		await sleep(500);
		this.before = await snapshot();
	}

	/** Notes one injected fault (for the summary). */
	fault(what) {
		this.faults++;
		this.faultLog.push(`${((Date.now() - this.t0) / 1000).toFixed(1)}s ${what}`);
	}

	/** Resolves at MS after the load started. */
	at(ms) {
		return sleep(Math.max(0, this.t0 + ms - Date.now()));
	}

	/**
	 * Runs the load with INJECT(this) beside it; then sends again what
	 * had no final answer, and waits for the stack to be whole.
	 */
	async run(inject) {
		this.t0 = Date.now();
		const load = runLoad({ keys: this.keys, tag: this.name,
		    durationMs: LOAD_MS, maxRequests: MAX_REQUESTS, rate: RATE,
		    ...this.load });
		let injected;
		try {
			await inject(this);
		} catch (e) {
			injected = e;
		}
		this.records = await load;
		this.elapsed = Date.now() - this.t0;
		// what failed only because the budget ran out during the fault
		this.unfinishedBeforeSettle = this.records.filter((r) =>
		    r.status === 0 || r.status === 429 || r.status >= 500).length;
		await restoreStack(this.workers);
		this.settled = await settle(this.records);
		if (injected)
			throw injected;
	}

	async verify() {
		this.writes = await verifyWrites(this.account.id, this.records, this.name);
		return this.writes;
	}

	async analytics() {
		return verifyAnalytics(this.account.id, this.keys[0], this.records);
	}

	/**
	 * RSS and descriptors of the master and the workers before and after
	 * LEAK_REQUESTS requests (after a warm-up). Returns {after, rows,
	 * problems}.
	 */
	async leaks() {
		await runLoad({ keys: this.keys, tag: `${this.name}-leakwarm`,
		    maxRequests: LEAK_WARMUP, rate: 1000 });
		await sleep(500);
		const a = await snapshot();
		await runLoad({ keys: this.keys, tag: `${this.name}-leak`,
		    maxRequests: LEAK_REQUESTS, rate: 1000 });
		await sleep(500);
		const b = await snapshot();
		const problems = [];
		const rows = [];
		const compare = (what, u, v, exactFds = true) => {
			if (!u || !v) {
				problems.push(`${what} is gone`);
				return;
			}
			rows.push(`${what} rss ${u.rss}->${v.rss} KiB, fds ` +
			    `${u.other}->${v.other} (+${u.fcgiConns}->${v.fcgiConns} nginx)`);
			if (v.rss - u.rss > RSS_TOLERANCE_KB)
				problems.push(`${what} RSS grew ${v.rss - u.rss} KiB`);
			if (exactFds && v.other !== u.other)
				problems.push(`${what} descriptors ${u.other} -> ${v.other}`);
			if (v.fcgiConns > IDLE_FCGI_CONNS)
				problems.push(`${what} holds ${v.fcgiConns} FastCGI connections when idle`);
		};
		if (a.masterPid !== b.masterPid)
			problems.push(`the master changed: ${a.masterPid} -> ${b.masterPid}`);
		compare(`master ${b.masterPid}`, a.master, b.master);
		// the master's own descriptors across the whole scenario
		if (this.before.masterPid === b.masterPid &&
		    this.before.master.other !== b.master?.other)
			problems.push(`master descriptors ${this.before.master.other}` +
			    ` before the faults, ${b.master?.other} after`);
		const pids = Object.keys(a.workers);
		if (pids.join() !== Object.keys(b.workers).join())
			problems.push(`workers changed under plain load: ${pids} -> ` +
			    `${Object.keys(b.workers)}`);
		for (const pid of pids)
			compare(`worker ${pid}`, a.workers[pid], b.workers[pid]);
		this.leakRows = rows;
		return { rows, problems };
	}

	/** The summary line of the scenario; printed and kept in VAR/log. */
	summary() {
		const c = this.writes?.counts ?? {};
		const line = `faults summary ${this.name}: requests ${c.requests}` +
		    ` attempts ${c.attempts} retried ${c.retried} replayed ${c.replayed}` +
		    ` faults ${this.faults} acknowledged ${c.acknowledged}` +
		    ` unfinished-before-resend ${this.unfinishedBeforeSettle}` +
		    ` unfinished ${c.unfinished} lost ${c.lost} doubled ${c.doubled}` +
		    ` orphans ${c.orphans} bad-events ${c.badEvents}` +
		    ` in ${((this.elapsed ?? 0) / 1000).toFixed(1)} s` +
		    (this.extra ? ` ${this.extra}` : '');
		const text = [line, ...this.faultLog.map((f) => `  fault at ${f}`),
		    ...(this.leakRows ?? []).map((r) => `  ${r}`)].join('\n');
		console.log(text);
		try {
			appendFileSync(join(env.PESASWAP_VAR, 'log',
			    'faults-summary.log'), text + '\n');
		} catch { /* no VAR/log: printed is enough */ }
		return line;
	}

	/** Puts the stack back (after hooks: also when a test failed). */
	async restore() {
		await restoreStack(this.workers);
	}
}

/**
 * The checks every scenario ends with, as tests of the calling file (in
 * this order, after its own): nothing lost or doubled, every event,
 * analytics, no leak. tests/cluster passes LEAKS false (its workers are
 * spread over hosts that came and went) and CLIENT_RETRIES false (nginx
 * sends a keyed write to the next host itself: a client may see no
 * error at all; it proves the faults hit the load otherwise).
 */
export function checkTests(s, { leaks = true, clientRetries = true } = {}) {
	test('every_acknowledged_write_is_stored_exactly_once_with_its_event', async () => {
		const { counts: c, problems } = await s.verify();
		const why = problems.join('\n');
		assert.equal(c.lost, 0, why);
		assert.equal(c.doubled, 0, why);
		assert.equal(c.mismatched, 0, why);
		assert.equal(c.badEvents, 0, why);
		assert.ok(c.retried > 0 || !clientRetries,
		    'no request was retried: the faults missed the load');
	});
	test('every_retried_request_ends_with_one_answer_and_one_object', async () => {
		const { counts: c, problems } = s.writes ?? await s.verify();
		const why = problems.join('\n');
		assert.equal(c.unfinished, 0,
		    `${c.unfinished} requests never got a final answer`);
		assert.equal(c.unexpected, 0, why);
		assert.equal(c.orphans, 0, why);
	});
	test('analytics_of_every_customer_equal_a_recount_of_its_payments', async () => {
		const { customers, problems } = await s.analytics();
		assert.ok(customers > 0, 'no customer had payments');
		assert.deepEqual(problems, []);
	});
	if (!leaks)
		return;
	test('no_worker_or_master_leaks_memory_or_descriptors', async () => {
		const { problems } = await s.leaks();
		assert.deepEqual(problems, []);
	});
}
