// Issue 7 "Faults": mariadbd killed with SIGKILL (no clean shutdown) and
// started again, twice, while the load runs. InnoDB's settings must make
// every committed write durable (innodb_flush_log_at_trx_commit=1, the
// doublewrite buffer; no binary log, so sync_binlog has nothing to do):
// every write answered 2xx is there after the recovery. A request caught
// by the crash is rolled back, or its COMMIT's answer is lost (503): the
// client's retry with the same key gets exactly one object.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario, checkTests } from './lib/scenario.mjs';
import { masterPid, stack, workerPids, sleep } from './lib/procs.mjs';
import { durability } from './lib/checks.mjs';

const KILLS_AT = [5000, 15000];	/* ms into the load */
const DOWN_MS = 1500;		/* dead before the restart begins */
const s = new Scenario('db_killed');
let master, workers;

before(async () => {
	await s.setup();
	master = await masterPid();
	workers = await workerPids();
});
after(async () => {
	s.summary();
	await s.restore();
});

test('innodb_settings_make_a_committed_write_durable', async () => {
	const d = await durability();
	assert.equal(d.flushLog, 1, 'innodb_flush_log_at_trx_commit');
	assert.equal(d.doublewrite, 1, 'innodb_doublewrite');
	assert.ok(d.logBin === 0 || d.syncBinlog === 1,
	    'a binary log needs sync_binlog=1');
});

test('load_runs_while_mariadbd_is_killed_with_sigkill_and_restarted', async () => {
	const restarts = [];
	await s.run(async () => {
		for (const at of KILLS_AT) {
			await s.at(at);
			await stack('db-kill');
			s.fault('SIGKILL mariadbd');
			await sleep(DOWN_MS);
			const t = Date.now();
			await stack('db-start');
			restarts.push(Date.now() - t);
		}
	});
	s.extra = `restart-ms ${restarts.join(',')}`;
	assert.equal(s.faults, KILLS_AT.length);
});

test('the_same_master_and_workers_serve_after_the_crashes', async () => {
	assert.equal(await masterPid(), master, 'the master was restarted');
	assert.deepEqual(await workerPids(), workers,
	    'workers were restarted: a lost database must not kill them');
});

checkTests(s);
