// Faults while the workers run (issue 2 "Tests"; API.md "Errors" 503;
// common.md pesaswap-fcgi): a worker killed with SIGKILL is replaced;
// MariaDB stopped -> 503 service_unavailable at once, /healthz 503; MariaDB
// started again -> the same workers recover with no restart.
//
// These tests disturb the shared stack: every one puts it back (try /
// finally, and an after() hook) even when an assertion fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, dbStop, dbStart } from '../lib/stack.mjs';
import { masterPid, workerPids as children, restoreStack }
    from './lib/procs.mjs';
import { call, expectOk, expectError, uniqEmail, sleep } from '../lib/openapi.mjs';

const ANSWER_WITHIN_MS = 5000;		// "quickly": a 503, never a hang
const RECOVER_WITHIN_MS = 30000;

let acct;
let dbDown = false;
let nWorkers;

async function stopDb() {
	dbDown = true;
	await dbStop();
}
async function startDb() {
	await dbStart();
	dbDown = false;
}

// The master's pid, as a number.
async function master() {
	const pid = await masterPid();
	assert.ok(Number.isInteger(pid) && pid > 1, `masterPid() gave ${pid}`);
	return pid;
}

// fetch with a deadline, so a hang fails the test instead of stalling it.
async function timed(path, opts = {}) {
	const t0 = Date.now();
	const res = await call(path, { ...opts,
	    signal: AbortSignal.timeout(ANSWER_WITHIN_MS + 5000) });
	return { res, ms: Date.now() - t0 };
}

async function waitHealthy(ms) {
	const end = Date.now() + ms;
	let last;
	while (Date.now() < end) {
		try {
			last = await call('/healthz', { check: false,
			    signal: AbortSignal.timeout(5000) });
			if (last.status === 200)
				return true;
		} catch (e) {
			last = { status: String(e) };
		}
		await sleep(250);
	}
	assert.fail(`not healthy after ${ms} ms (last: ${last?.status})`);
}

before(async () => {
	acct = await newAccount('faults-db-down');
	await waitHealthy(RECOVER_WITHIN_MS);
	nWorkers = (await children()).length;
});

after(async () => {
	if (dbDown)
		await startDb();
	await restoreStack(nWorkers);
});

test('worker_killed_with_sigkill_is_replaced_and_requests_keep_succeeding', async () => {
	const pid = await master();
	const before = await children();
	assert.ok(before.length >= 1, `the master ${pid} has no workers`);
	const victim = before[before.length - 1];
	process.kill(victim, 'SIGKILL');
	// a new worker appears within a few seconds
	const end = Date.now() + 10000;
	let now = await children();
	while ((now.includes(victim) || now.length < before.length) &&
	    Date.now() < end) {
		await sleep(100);
		now = await children();
	}
	assert.ok(!now.includes(victim), `worker ${victim} is still there`);
	assert.equal(now.length, before.length,
	    `workers before ${before}, after ${now}`);
	assert.equal(await master(), pid, 'the master was not restarted');
	// every request succeeds, whichever worker takes it
	for (let i = 0; i < 20; i++)
		expectOk(await call('/v1/customers', { method: 'POST',
		    key: acct.testKey, json: { name: `After Kill ${i}`,
		    email: uniqEmail('kill') } }));
	const l = expectOk(await call('/v1/customers?limit=100', { key: acct.testKey }));
	assert.ok(l.data.length >= 20);
});

test('database_down_answers_503_quickly_then_the_same_workers_recover', async (t) => {
	await waitHealthy(RECOVER_WITHIN_MS);
	const pid = await master();
	// warm every worker's DB connection, so each must notice the outage
	for (let i = 0; i < 10; i++)
		expectOk(await call('/v1/customers', { key: acct.testKey }));
	const workers = await children();
	const lostEmail = uniqEmail('outage');

	await stopDb();
	try {
		await t.test('list_answers_503_service_unavailable_within_5_s', async () => {
			for (let i = 0; i < 6; i++) {	// reach several workers
				const { res, ms } = await timed('/v1/customers',
				    { key: acct.testKey });
				const e = expectError(res, 503, 'api_error',
				    'service_unavailable', null);
				assert.ok(ms < ANSWER_WITHIN_MS, `answered in ${ms} ms`);
				assert.equal(e.request_id, res.headers.get('request-id'));
				assert.equal(res.headers.get('retry-after'), '1');
			}
		});
		await t.test('create_answers_503_while_the_database_is_down', async () => {
			const { res, ms } = await timed('/v1/customers', { method: 'POST',
			    key: acct.testKey, json: { name: 'Lost', email: lostEmail } });
			expectError(res, 503, 'api_error', 'service_unavailable', null);
			assert.ok(ms < ANSWER_WITHIN_MS, `answered in ${ms} ms`);
		});
		await t.test('retrieve_answers_503_while_the_database_is_down', async () => {
			const { res, ms } = await timed(`/v1/customers/cust_${'a'.repeat(16)}`,
			    { key: acct.testKey });
			expectError(res, 503, 'api_error', 'service_unavailable', null);
			assert.ok(ms < ANSWER_WITHIN_MS, `answered in ${ms} ms`);
		});
		await t.test('healthz_answers_503_while_the_database_is_down', async () => {
			const { res, ms } = await timed('/healthz');
			assert.equal(res.status, 503, res.text);
			assert.ok(ms < ANSWER_WITHIN_MS, `answered in ${ms} ms`);
		});
		await t.test('the_workers_stay_up_while_the_database_is_down', async () => {
			assert.equal(await master(), pid);
			assert.deepEqual(await children(), workers);
		});
	} finally {
		await startDb();
	}

	await t.test('requests_succeed_again_after_the_database_returns', async () => {
		await waitHealthy(RECOVER_WITHIN_MS);
		// every worker reconnects: several requests in a row all succeed
		for (let i = 0; i < 10; i++)
			expectOk(await call('/v1/customers', { key: acct.testKey }));
		expectOk(await call('/v1/customers', { method: 'POST', key: acct.testKey,
		    json: { name: 'Back', email: uniqEmail('back') } }));
	});
	await t.test('the_same_master_and_workers_serve_after_recovery', async () => {
		assert.equal(await master(), pid, 'the master was restarted');
		assert.deepEqual(await children(), workers,
		    'the workers were restarted (pids changed)');
	});
	await t.test('nothing_was_written_during_the_outage', async () => {
		const l = expectOk(await call('/v1/customers?email=' +
		    encodeURIComponent(lostEmail), { key: acct.testKey }));
		assert.deepEqual(l.data, []);
	});
});
