// Issue 14: the retrying fault load of tests/faults against the cluster
// while (a) Galera node d1 is SIGKILLed and rejoins (IST, or SST when its
// state is too old), (b) worker host w2 is cut off (its link to the
// switch down) and comes back, (c) pesaswap-jobs on host w3 is SIGKILLed
// while deliveries of its are in flight. Then the fault suite's
// invariants (tests/faults/lib): every acknowledged write stored exactly
// once with its event, no unfinished request, analytics equal to a
// recount; and every event delivered to the webhook at least once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario, checkTests } from '../faults/lib/scenario.mjs';
import { sleep } from '../faults/lib/procs.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, env } from '../lib/stack.mjs';
import { cluster, nodeSql, receiver, clientsOn, hostIp } from './lib.mjs';

const s = new Scenario('cluster', { durationMs: 50000, maxRequests: 2400,
    rate: 6 });
const KILL_NODE_AT = 5000;
const NODE_DOWN_MS = 6000;
const CUT_HOST_AT = 20000;
const HOST_CUT_MS = 12000;
const KILL_JOBS_AT = 24000;
let hook, endpoint, killedAt, rejoinMs, jobsInflight;

before(async () => {
	await s.setup();
	hook = await receiver(150);
	const ep = await api('/v1/webhook_endpoints', { method: 'POST',
	    key: s.keys[0], json: { url: hook.url, enabled_events: ['*'] } });
	assert.equal(ep.status, 200, ep.text);
	endpoint = ep.json;
	await sleep(1100);	// the load's events come in a later second
});
after(async () => {
	s.summary();
	await hook?.close();
	await s.restore();
});

async function killNode() {
	await s.at(KILL_NODE_AT);
	await cluster('db-kill', 1);
	killedAt = Date.now();
	s.fault('SIGKILL Galera node d1');
	await sleep(NODE_DOWN_MS);
	const t = Date.now();
	await cluster('db-start', 1);
	rejoinMs = Date.now() - t;
	s.fault(`node d1 rejoined in ${rejoinMs} ms`);
}

async function cutHost() {
	await s.at(CUT_HOST_AT);
	await cluster('host-cut', 2);
	s.fault('host w2 cut off');
	await sleep(HOST_CUT_MS);
	await cluster('host-join', 2);
	s.fault('host w2 back');
}

async function killJobs() {
	await s.at(KILL_JOBS_AT);
	// mid-delivery: wait until host w3 has a delivery in flight
	const end = Date.now() + 10000;
	while ((hook.inflight.get(hostIp(3)) ?? 0) === 0 && Date.now() < end)
		await sleep(5);
	jobsInflight = hook.inflight.get(hostIp(3)) ?? 0;
	await cluster('jobs-kill', 3);
	s.fault(`SIGKILL pesaswap-jobs on w3 (${jobsInflight} in flight)`);
	await sleep(3000);
	await cluster('jobs-start', 3);
}

test('load_runs_while_a_node_dies_a_host_is_cut_off_and_a_jobs_runner_dies', async () => {
	await s.run(() => Promise.all([killNode(), cutHost(), killJobs()]));
	// the longest time no write was answered 2xx after the node died
	const oks = s.records.flatMap((r) => r.tries)
	    .filter((t) => t.status === 200 || t.status === 402)
	    .map((t) => t.t1).filter((t) => t > killedAt).sort((a, b) => a - b);
	s.extra = `first-write-after-node-death-ms ${oks[0] - killedAt}` +
	    ` rejoin-ms ${rejoinMs} jobs-in-flight-at-kill ${jobsInflight}`;
	assert.equal(s.faults, 5);
	assert.ok(jobsInflight > 0, 'no delivery of w3 was in flight');
});

test('the_killed_node_rejoined_and_is_synced', async () => {
	assert.deepEqual((await nodeSql(1, "SHOW STATUS LIKE 'wsrep_local_state_comment'"))[0],
	    ['wsrep_local_state_comment', 'Synced']);
	const [[, size]] = await nodeSql(2, "SHOW STATUS LIKE 'wsrep_cluster_size'");
	assert.equal(size, '3');
});

test('workers_of_host_w1_return_to_their_own_node', async () => {
	// they try it again 5 s after leaving it (then 10, 20 …), when a
	// request comes; requests keep coming
	const end = Date.now() + 40000;
	let c = {};
	while (Date.now() < end) {
		await Promise.all(Array.from({ length: 12 }, () =>
		    api('/v1/customers?limit=1', { key: s.keys[1] })));
		c = await clientsOn(1);
		if ((c[hostIp(1)] ?? 0) > 0)
			break;
		await sleep(500);
	}
	assert.ok((c[hostIp(1)] ?? 0) > 0, `node d1 serves ${JSON.stringify(c)}`);
});

test('the_faults_hit_the_load_and_were_absorbed', async () => {
	// nginx sent requests on to another host ("a, b" upstream times in
	// its access log), and host w1's workers saw their node go
	const log = (f) => readFileSync(join(env.PESASWAP_VAR, f), 'utf8');
	const resent = log('log/nginx-access.log').split('\n')
	    .filter((l) => /\d, \d/.test(l)).length;
	const gone = log('w1/fcgi.log').split('\n')
	    .filter((l) => l.includes('database gone')).length;
	s.extra += ` resent-by-nginx ${resent} node-gone-seen ${gone}`;
	assert.ok(resent > 0, 'nginx sent no request to a second host');
	assert.ok(gone > 0, 'no worker of w1 saw node d1 go');
});

checkTests(s, { leaks: false, clientRetries: false });

test('every_event_of_the_load_is_delivered_at_least_once', async () => {
	const events = (await nodeSql(2, 'SET SESSION wsrep_sync_wait = 1;' +
	    ' SELECT id FROM events WHERE' +
	    ` account_id = '${s.account.id}' AND livemode = 0 AND created >` +
	    ` ${endpoint.created}`)).map(([id]) => id);
	assert.ok(events.length > 100, `only ${events.length} events`);
	const end = Date.now() + 90000;
	while (Date.now() < end && events.some((id) => !hook.received.has(id)))
		await sleep(500);
	const lost = events.filter((id) => !hook.received.has(id));
	const twice = events.filter((id) => hook.received.get(id) > 1).length;
	s.extra += ` events ${events.length} delivered-twice ${twice}`;
	assert.deepEqual(lost.slice(0, 10), [], `${lost.length} not delivered`);
});
