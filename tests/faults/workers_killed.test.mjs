// Issue 7 "Faults": workers killed with SIGKILL one after another while
// the load runs. A killed worker's request is lost mid-way (nginx answers
// 502, its transaction rolls back, or had committed); the client retries
// with the same Idempotency-Key and gets exactly one object.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario, LOAD_MS, checkTests } from './lib/scenario.mjs';
import { busy, masterPid, workerPids, waitWorkers, sleep }
    from './lib/procs.mjs';

const KILL_EVERY_MS = 1500;
const s = new Scenario('workers_killed');
let master;
const killed = [];

before(async () => {
	await s.setup();
	master = await masterPid();
});
after(async () => {
	s.summary();
	await s.restore();
});

test('load_runs_while_workers_are_killed_with_sigkill_one_after_another', async () => {
	await s.run(async () => {
		for (let at = 3000; at < LOAD_MS - 2000; at += KILL_EVERY_MS) {
			await s.at(at);
			const w = (await workerPids()).filter((p) => !killed.includes(p));
			if (w.length === 0)
				continue;
			// one caught inside a request if there is one within 1 s
			// (/proc/PID/syscall), else the next in turn
			let victim = w[killed.length % w.length];
			for (const end = Date.now() + 1000; Date.now() < end;) {
				const b = w.find(busy);
				if (b) {
					victim = b;
					break;
				}
				await sleep(1);
			}
			const inRequest = busy(victim);
			process.kill(victim, 'SIGKILL');
			killed.push(victim);
			s.fault(`SIGKILL worker ${victim}` +
			    (inRequest ? ' (in a request)' : ''));
		}
	});
	assert.ok(s.faults >= 10, `only ${s.faults} workers killed`);
});

test('every_killed_worker_was_replaced_by_the_same_master', async () => {
	assert.equal(await masterPid(), master, 'the master was restarted');
	const now = await waitWorkers(s.workers, 20000);
	assert.ok(now, `the master has not ${s.workers} workers again`);
	for (const pid of killed)
		assert.ok(!now.includes(pid), `killed worker ${pid} is still listed`);
});

checkTests(s);
