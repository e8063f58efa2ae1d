// Issue 14: the cluster without faults. The Galera settings the design
// needs on every node, workers on their own node, read-your-writes across
// hosts (wsrep_sync_wait), webhook deliveries claimed once by three
// pesaswap-jobs on three nodes, and billing once per period.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, newAccount } from '../lib/stack.mjs';
import { NODES, HOSTS, hostIp, nodeSql, receiver, clientsOn }
    from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let acct, hook;

before(async () => {
	acct = await newAccount('cluster-consistency');
	hook = await receiver(20);
});
after(async () => {
	await hook?.close();
});

const key = () => `k-${randomBytes(9).toString('hex')}x`;
const post = (path, json) => api(path, { method: 'POST', key: acct.testKey,
    json, headers: { 'idempotency-key': key() } });

test('every_node_has_the_settings_the_design_relies_on', async () => {
	for (let n = 1; n <= NODES; n++) {
		const [[autoinc, control, size, state, format]] = await nodeSql(n,
		    'SELECT @@innodb_autoinc_lock_mode, @@wsrep_auto_increment_control,' +
		    " (SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'wsrep_cluster_size')," +
		    " (SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'wsrep_local_state_comment')," +
		    ' @@binlog_format');
		assert.equal(autoinc, '2', `node ${n} innodb_autoinc_lock_mode`);
		assert.equal(control, '1', `node ${n} wsrep_auto_increment_control`);
		assert.equal(size, String(NODES), `node ${n} cluster size`);
		assert.equal(state, 'Synced', `node ${n}`);
		assert.equal(format, 'ROW', `node ${n} binlog_format`);
	}
});

test('each_worker_host_is_connected_to_its_own_node', async () => {
	for (let i = 0; i < 30; i++)
		assert.equal((await api('/v1/customers?limit=1',
		    { key: acct.testKey })).status, 200);
	for (let n = 1; n <= HOSTS; n++) {
		const c = await clientsOn(n);
		assert.ok(c[hostIp(n)] > 0, `node ${n} serves ${JSON.stringify(c)}`);
		for (let m = 1; m <= HOSTS; m++)
			if (m !== n)
				assert.equal(c[hostIp(m)] ?? 0, 0,
				    `host ${m} on node ${n}: ${JSON.stringify(c)}`);
	}
});

test('a_write_through_one_host_is_read_at_once_through_every_other', async () => {
	const missing = [];
	for (let i = 0; i < 40; i++) {
		const c = await post('/v1/customers', { name: 'RYW',
		    email: `ryw-${key()}@example.com` });
		assert.equal(c.status, 200, c.text);
		// round robin over HOSTS hosts: these reads land on the others
		const reads = await Promise.all(Array.from({ length: HOSTS },
		    () => api(`/v1/customers/${c.json.id}`, { key: acct.testKey })));
		for (const r of reads)
			if (r.status !== 200)
				missing.push(`${c.json.id}: ${r.status}`);
		const p = await post('/v1/payments', { amount: 500,
		    currency: 'usd', customer: c.json.id });
		assert.equal(p.status, 200, p.text);
		const a = await api(`/v1/customers/${c.json.id}/analytics`,
		    { key: acct.testKey });
		if (a.json?.total_payments !== 1)
			missing.push(`${c.json.id} analytics ${a.text}`);
	}
	assert.deepEqual(missing, []);
});

// The duplicate counts (sql/012_duplicate_counts.sql) are written by
// triggers on the node that takes the write; twins created at once
// through every host update the same count rows on different nodes, so
// certification conflicts must be retried, never lose a count.
test('twins_created_at_once_through_every_host_are_counted_exactly',
    async () => {
	const a = await newAccount('cluster-dups');
	const phones = ['+254711000001', '+254711000002', '+254711000003'];
	const PER = 10;
	const made = await Promise.all(Array.from({ length: phones.length * PER },
	    (_, i) => api('/v1/customers', { method: 'POST', key: a.testKey,
	    json: { name: `Twin ${i}`, email: `twin-${key()}@example.com`,
	    phone: phones[i % phones.length] } })));
	for (const c of made)
		assert.equal(c.status, 200, c.text);
	const d = await api('/v1/customers/duplicates?limit=10',
	    { key: a.testKey });
	assert.equal(d.status, 200, d.text);
	assert.deepEqual(d.json.data.map((g) => [g.key, g.customer_count]),
	    phones.map((p) => [p.slice(1), PER]));
	for (let n = 1; n <= NODES; n++) {
		const rows = await nodeSql(n, 'SET SESSION wsrep_sync_wait = 1;' +
		    ' SELECT key_norm, customers FROM customer_duplicate_keys' +
		    ` WHERE account_id = '${a.id}' AND kind = 1 ORDER BY key_norm`);
		assert.deepEqual(rows, phones.map((p) => [p.slice(1), String(PER)]),
		    `node ${n}`);
	}
});

test('three_jobs_on_three_nodes_deliver_each_event_once', async () => {
	const ep = await post('/v1/webhook_endpoints', { url: hook.url,
	    enabled_events: ['customer.created'] });
	assert.equal(ep.status, 200, ep.text);
	await sleep(1100);	// events of a later second than the endpoint
	const ids = [];
	await Promise.all(Array.from({ length: 6 }, async () => {
		for (let i = 0; i < 25; i++) {
			const c = await post('/v1/customers', { name: 'Hook',
			    email: `hook-${key()}@example.com` });
			assert.equal(c.status, 200, c.text);
			ids.push(c.json.id);
		}
	}));
	// Every create answered 200 once: one customer and one event each,
	// and no other (a create that ran twice would show here).
	const rows = await nodeSql(1, 'SET SESSION wsrep_sync_wait = 1;' +
	    " SELECT id, JSON_VALUE(data, '$.object.id') FROM events WHERE" +
	    ` account_id = '${acct.id}' AND type = 'customer.created' AND` +
	    " JSON_VALUE(data, '$.object.name') = 'Hook'");
	const events = new Set(rows.map(([id]) => id));
	const created = rows.map(([, cust]) => cust).sort();
	assert.deepEqual(created, [...ids].sort(),
	    'one customer.created per answered create');
	const end = Date.now() + 60000;
	while (Date.now() < end &&
	    [...events].some((id) => !hook.received.has(id)))
		await sleep(200);
	const lost = [...events].filter((id) => !hook.received.has(id));
	const twice = [...events].filter((id) => hook.received.get(id) > 1);
	assert.deepEqual(lost, [], 'events never delivered');
	assert.deepEqual(twice, [], 'events delivered twice without a fault');
	// One delivery row per event, marked succeeded, seen from another
	// node. Only these events: the endpoint also gets the earlier tests'
	// events of its own second (created is in seconds, and an event of
	// the endpoint's second is delivered rather than risked).
	const [[succeeded, distinct]] = await nodeSql(2, 'SET SESSION' +
	    ' wsrep_sync_wait = 1; SELECT COUNT(*), COUNT(DISTINCT d.event_id)' +
	    ' FROM webhook_deliveries d JOIN events e ON e.id = d.event_id' +
	    ` WHERE d.endpoint_id = '${ep.json.id}' AND d.status = 'succeeded'` +
	    " AND JSON_VALUE(e.data, '$.object.name') = 'Hook'");
	assert.equal(Number(succeeded), events.size, 'succeeded delivery rows');
	assert.equal(Number(distinct), events.size, 'events with a delivery');
});

test('three_jobs_on_three_nodes_bill_each_period_once', async () => {
	const t0 = 1704067200;	// 2024-01-01
	const days = 12;
	const price = await post('/v1/prices', { unit_amount: 700,
	    currency: 'usd', recurring: { interval: 'day' } });
	assert.equal(price.status, 200, price.text);
	const clock = await post('/v1/test_helpers/test_clocks',
	    { frozen_time: t0 });
	const cust = await post('/v1/customers', { name: 'Billed',
	    email: `bill-${key()}@example.com`, test_clock: clock.json.id });
	const pm = await post(`/v1/customers/${cust.json.id}/payment_methods`,
	    { payment_method: 'pm_card_visa' });
	await post(`/v1/customers/${cust.json.id}`,
	    { invoice_settings: { default_payment_method: pm.json.id } });
	const sub = await post('/v1/subscriptions', { customer: cust.json.id,
	    price: price.json.id });
	assert.equal(sub.status, 200, sub.text);
	const adv = await post(`/v1/test_helpers/test_clocks/${clock.json.id}/advance`,
	    { frozen_time: t0 + days * 86400 });
	assert.equal(adv.status, 200, adv.text);
	const count = async () => Number((await nodeSql(3, 'SELECT COUNT(*)' +
	    ` FROM payments WHERE customer_id = '${cust.json.id}'`))[0][0]);
	const end = Date.now() + 60000;
	while (Date.now() < end && await count() < days + 1)
		await sleep(300);
	await sleep(2000);	// a double would have had time to appear
	assert.equal(await count(), days + 1, 'one payment per period');
	const [[periods, distinct]] = await nodeSql(1, 'SELECT COUNT(*),' +
	    ' COUNT(DISTINCT period_index) FROM subscription_charges' +
	    ` WHERE subscription_id = '${sub.json.id}'`);
	assert.equal(periods, distinct);
});
