// Issue 7 "Faults": the database unreachable for 10 seconds while the
// load runs. mariadbd gets SIGSTOP, then SIGCONT (stack.sh db-pause,
// db-resume): its connections stay open but nothing answers, as behind a
// network partition, so statements hang instead of failing at once (the
// refused connection of a stopped server is tests/faults/db_down). No
// root is needed, and the workers' unix socket is cut off as surely as
// TCP would be.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from '../lib/stack.mjs';
import { Scenario, checkTests } from './lib/scenario.mjs';
import { masterPid, stack, workerPids } from './lib/procs.mjs';

const PAUSE_AT_MS = 5000;
const PAUSE_MS = 10000;
// A client that gives up on an attempt after 3 s and sends it again
// with the same key: the abandoned attempts still reach a worker once the
// database answers, beside their retries, so the key must serialise them.
const ATTEMPT_TIMEOUT_MS = 3000;
const s = new Scenario('db_unreachable', { timeoutMs: ATTEMPT_TIMEOUT_MS });
let master, workers, paused = false;

// A stopped mariadbd would take every later test down with it: resumed
// even if this process ends without its after() hook.
process.on('exit', () => {
	if (!paused)
		return;
	try {
		process.kill(Number(readFileSync(join(env.PESASWAP_VAR, 'run',
		    'mariadb.pid'), 'utf8')), 'SIGCONT');
	} catch { /* not running */ }
});

before(async () => {
	await s.setup();
	master = await masterPid();
	workers = await workerPids();
});
after(async () => {
	s.summary();
	await s.restore();	/* db-resume first */
	paused = false;
});

test('load_runs_while_the_database_is_unreachable_for_10_s', async () => {
	await s.run(async () => {
		await s.at(PAUSE_AT_MS);
		paused = true;
		await stack('db-pause');
		s.fault(`SIGSTOP mariadbd for ${PAUSE_MS / 1000} s`);
		await s.at(PAUSE_AT_MS + PAUSE_MS);
		await stack('db-resume');
		paused = false;
	});
	// what the clients saw while it was unreachable
	const from = s.t0 + PAUSE_AT_MS, to = from + PAUSE_MS;
	const during = s.records.flatMap((r) => r.tries)
	    .filter((a) => a.t1 > from && a.t0 < to);
	const by = {};
	for (const a of during)
		by[a.status] = (by[a.status] ?? 0) + 1;
	const longest = Math.max(0, ...during.map((a) => a.t1 - a.t0));
	s.extra = `attempts-during-pause ${JSON.stringify(by)} longest-ms ${longest}`;
	assert.ok(during.length > 0, 'no request met the outage');
});

test('the_same_master_and_workers_serve_after_the_outage', async () => {
	assert.equal(await masterPid(), master, 'the master was restarted');
	assert.deepEqual(await workerPids(), workers, 'workers were restarted');
});

checkTests(s);
