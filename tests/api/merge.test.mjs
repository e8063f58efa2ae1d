// POST /v1/customers/:id/merge (issue 15 "Duplicates found and merged"):
// everything that names "from" moves to the survivor, whose analytics
// then equal a recount of its payments; empty fields are filled; "from"
// is deleted with merged_into; the events; idempotency; and every
// refusal changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

const post = (key, path, json, headers = {}) =>
    call(path, { method: 'POST', key, json, headers });
const get = (key, path) => call(path, { key });
const customer = async (key, extra = {}) => expectOk(await post(key,
    '/v1/customers', { name: 'Dup', email: uniqEmail('mg'), ...extra }));
const merge = (key, into, from, headers) =>
    post(key, `/v1/customers/${into}/merge`, { from }, headers);
const pay = (key, customer, amount, currency = 'usd', pm) =>
    post(key, '/v1/payments', { amount, currency, customer,
    ...(pm ? { payment_method: pm } : {}) });
const listAll = async (key, path) =>
    expectOk(await get(key, path + (path.includes('?') ? '&' : '?') +
    'limit=100')).data;
const events = async (key, type) =>
    listAll(key, `/v1/events?type=${type}`);

// What analytics must say, counted here from the payments themselves.
function recount(payments, id) {
	const ok = payments.filter((p) => p.status === 'succeeded');
	const byCur = new Map();
	for (const p of ok) {
		const v = byCur.get(p.currency) ?? { currency: p.currency,
		    total_volume: 0, payments: 0, refunded_amount: 0 };
		v.total_volume += p.amount;
		v.payments++;
		v.refunded_amount += p.amount_refunded;
		byCur.set(p.currency, v);
	}
	const last = ok[0];	// the list is newest first
	return {
		customer: id,
		total_payments: ok.length,
		failed_payments: payments.filter((p) => p.status === 'failed')
		    .length,
		volume: [...byCur.values()].sort((a, b) =>
		    b.total_volume - a.total_volume ||
		    a.currency.localeCompare(b.currency)).map((v) => ({
			currency: v.currency, total_volume: v.total_volume,
			payments: v.payments,
			average_transaction: Math.round(v.total_volume /
			    v.payments),
			refunded_amount: v.refunded_amount,
			net_volume: v.total_volume - v.refunded_amount })),
		last_payment: last ? { id: last.id, amount: last.amount,
		    currency: last.currency, created: last.created } : null,
	};
}
const analytics = async (key, id) => {
	const a = expectOk(await get(key, `/v1/customers/${id}/analytics`));
	return { customer: a.customer, total_payments: a.total_payments,
	    failed_payments: a.failed_payments, volume: a.volume,
	    last_payment: a.last_payment };
};

// A "from" with one of everything: payments (one refunded in part, one
// declined), a saved method, a subscription and a schedule.
async function loaded(key) {
	const from = await customer(key);
	const pm = expectOk(await post(key,
	    `/v1/customers/${from.id}/payment_methods`,
	    { payment_method: 'pm_card_visa' }));
	const p1 = expectOk(await pay(key, from.id, 1500));
	expectOk(await post(key, '/v1/refunds', { payment: p1.id,
	    amount: 500 }));
	const p2 = expectOk(await pay(key, from.id, 700, 'kes'));
	assert.equal((await pay(key, from.id, 900, 'usd',
	    'pm_card_chargeDeclined')).status, 402);
	const price = expectOk(await post(key, '/v1/prices', { unit_amount: 300,
	    currency: 'usd', recurring: { interval: 'month' } }));
	const sub = expectOk(await post(key, '/v1/subscriptions',
	    { customer: from.id, price: price.id,
	    payment_behavior: 'default_incomplete' }));
	const sched = expectOk(await post(key, '/v1/payment_schedules',
	    { customer: from.id, amount: 400, currency: 'usd',
	    run_at: Math.floor(Date.now() / 1000) + 86400 * 30 }));
	return { from, pm, p1, p2, sub, sched };
}

test('merge_moves_payments_methods_subscriptions_and_schedules', async () => {
	const a = await newAccount('merge-moves');
	const into = await customer(a.testKey);
	const mine = expectOk(await pay(a.testKey, into.id, 2500));
	const { from, pm, p1, p2, sub, sched } = await loaded(a.testKey);
	const fromPays = await listAll(a.testKey,
	    `/v1/payments?customer=${from.id}`);
	const got = expectOk(await merge(a.testKey, into.id, from.id));
	assert.equal(got.id, into.id);
	assert.equal(got.object, 'customer');
	const pays = await listAll(a.testKey, `/v1/payments?customer=${into.id}`);
	assert.deepEqual(pays.map((p) => p.id).sort(),
	    [mine.id, ...fromPays.map((p) => p.id)].sort());
	assert.ok(pays.some((p) => p.id === p1.id && p.amount_refunded === 500));
	assert.ok(pays.some((p) => p.id === p2.id));
	assert.deepEqual(await listAll(a.testKey,
	    `/v1/payments?customer=${from.id}`), []);
	assert.deepEqual((await listAll(a.testKey,
	    `/v1/customers/${into.id}/payment_methods`)).map((m) => m.id),
	    [pm.id]);
	const s = expectOk(await get(a.testKey, `/v1/subscriptions/${sub.id}`));
	assert.equal(s.customer, into.id);
	const sc = expectOk(await get(a.testKey,
	    `/v1/payment_schedules/${sched.id}`));
	assert.equal(sc.customer, into.id);
	// The moved method pays for the survivor.
	expectOk(await pay(a.testKey, into.id, 100, 'usd', pm.id));
});

test('merged_analytics_equal_a_recount_of_the_payments', async () => {
	const a = await newAccount('merge-analytics');
	const into = await customer(a.testKey);
	expectOk(await pay(a.testKey, into.id, 2500));
	expectOk(await pay(a.testKey, into.id, 999, 'kes'));
	assert.equal((await pay(a.testKey, into.id, 10, 'usd',
	    'pm_card_insufficientFunds')).status, 402);
	const { from } = await loaded(a.testKey);
	const before = [await analytics(a.testKey, into.id),
	    await analytics(a.testKey, from.id)];
	expectOk(await merge(a.testKey, into.id, from.id));
	const after = await analytics(a.testKey, into.id);
	const pays = await listAll(a.testKey, `/v1/payments?customer=${into.id}`);
	assert.deepEqual(after, recount(pays, into.id));
	assert.equal(after.total_payments,
	    before[0].total_payments + before[1].total_payments);
	assert.equal(after.failed_payments,
	    before[0].failed_payments + before[1].failed_payments);
	// The day chart counts the moved payments too.
	const vol = expectOk(await get(a.testKey,
	    `/v1/customers/${into.id}/analytics/volume?currency=usd`));
	assert.equal(vol.data.reduce((n, d) => n + d.total_volume, 0),
	    after.volume.find((v) => v.currency === 'usd').total_volume);
	// Later payments keep counting from the recount.
	expectOk(await pay(a.testKey, into.id, 1));
	const later = await analytics(a.testKey, into.id);
	assert.equal(later.total_payments, after.total_payments + 1);
});

test('merge_fills_only_the_survivors_empty_fields', async () => {
	const a = await newAccount('merge-fill');
	const into = await customer(a.testKey, { name: 'Keep Me',
	    metadata: { plan: 'pro' } });
	const from = await customer(a.testKey, { name: 'Other Name',
	    phone: '+254700000111', metadata: { plan: 'free', crm: '42' } });
	const got = expectOk(await merge(a.testKey, into.id, from.id));
	assert.equal(got.name, 'Keep Me');
	assert.equal(got.email, into.email);
	assert.equal(got.phone, '+254700000111');
	assert.deepEqual(got.metadata, { plan: 'pro', crm: '42' });
	assert.ok(got.updated >= into.updated);
	assert.deepEqual(expectOk(await get(a.testKey,
	    `/v1/customers/${into.id}`)), got);
});

test('merged_customer_is_deleted_and_its_email_free', async () => {
	const a = await newAccount('merge-deleted');
	const into = await customer(a.testKey);
	const from = await customer(a.testKey);
	expectOk(await merge(a.testKey, into.id, from.id));
	expectError(await get(a.testKey, `/v1/customers/${from.id}`), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	const list = await listAll(a.testKey, '/v1/customers');
	assert.deepEqual(list.map((c) => c.id), [into.id]);
	await customer(a.testKey, { email: from.email });
});

test('merge_writes_deleted_updated_and_merged_events', async () => {
	const a = await newAccount('merge-events');
	const into = await customer(a.testKey);
	const from = await customer(a.testKey);
	const got = expectOk(await merge(a.testKey, into.id, from.id));
	const [merged] = await events(a.testKey, 'customer.merged');
	assert.deepEqual(merged.data.object, { ...got, merged_from: from.id,
	    moved: { payments: 0, payment_methods: 0, subscriptions: 0,
	    payment_schedules: 0 } });
	const updated = (await events(a.testKey, 'customer.updated'))
	    .filter((e) => e.data.object.id === into.id);
	assert.equal(updated.length, 1);
	assert.deepEqual(updated[0].data.object, got);
	const deleted = await events(a.testKey, 'customer.deleted');
	assert.equal(deleted.length, 1);
	assert.equal(deleted[0].data.object.id, from.id);
	assert.equal(deleted[0].data.object.merged_into, into.id);
});

test('merge_writes_an_update_for_each_method_and_live_subscription_moved',
    async () => {
	const a = await newAccount('merge-moved-events');
	const into = await customer(a.testKey);
	const { from, pm, sub } = await loaded(a.testKey);
	const price = expectOk(await post(a.testKey, '/v1/prices',
	    { unit_amount: 100, currency: 'usd',
	    recurring: { interval: 'month' } }));
	const ended = expectOk(await post(a.testKey, '/v1/subscriptions',
	    { customer: from.id, price: price.id,
	    payment_behavior: 'default_incomplete' }));
	expectOk(await call(`/v1/subscriptions/${ended.id}`,
	    { method: 'DELETE', key: a.testKey }));
	const pays = await listAll(a.testKey, `/v1/payments?customer=${from.id}`);
	const before = new Set((await listAll(a.testKey, '/v1/events'))
	    .map((e) => e.id));
	const got = expectOk(await merge(a.testKey, into.id, from.id));
	const added = (await listAll(a.testKey, '/v1/events'))
	    .filter((e) => !before.has(e.id));
	// One event each, nothing per payment or schedule.
	assert.deepEqual(added.map((e) => e.type).sort(), ['customer.deleted',
	    'customer.merged', 'customer.updated', 'payment_method.updated',
	    'subscription.updated']);
	const about = (type) => added.find((e) => e.type === type).data;
	const m = about('payment_method.updated');
	assert.equal(m.object.id, pm.id);
	assert.equal(m.object.customer, into.id);
	assert.deepEqual(m.previous_attributes, { customer: from.id });
	assert.deepEqual(m.object, expectOk(await get(a.testKey,
	    `/v1/customers/${into.id}/payment_methods`)).data[0]);
	const s = about('subscription.updated');
	assert.deepEqual(s.object, expectOk(await get(a.testKey,
	    `/v1/subscriptions/${sub.id}`)));
	assert.deepEqual(s.previous_attributes, { customer: from.id });
	// How many of each moved: the payments (three made, one of them
	// declined, and each subscription's unpaid first one), both
	// subscriptions, the method and the schedule.
	assert.equal(pays.length, 5);
	assert.deepEqual(about('customer.merged').object, { ...got,
	    merged_from: from.id, moved: { payments: pays.length,
	    payment_methods: 1, subscriptions: 2, payment_schedules: 1 } });
	// The ended subscription moved too, without an event.
	assert.equal(expectOk(await get(a.testKey,
	    `/v1/subscriptions/${ended.id}`)).customer, into.id);
	// The moved objects' events are listed under the survivor.
	const mine = await listAll(a.testKey, `/v1/events?customer=${into.id}`);
	assert.ok(mine.some((e) => e.type === 'payment_method.updated'));
});

test('merge_update_event_lists_the_fields_filled', async () => {
	const a = await newAccount('merge-prev');
	const into = await customer(a.testKey, { metadata: { plan: 'pro' } });
	const from = await customer(a.testKey, { phone: '+254700000333',
	    description: 'VIP', metadata: { crm: '7' } });
	expectOk(await merge(a.testKey, into.id, from.id));
	const [u] = (await events(a.testKey, 'customer.updated'))
	    .filter((e) => e.data.object.id === into.id);
	assert.deepEqual(u.data.previous_attributes, { phone: null,
	    description: null, metadata: { plan: 'pro' } });
});

// A merged customer answers as a deleted one, naming the survivor.
function expectMerged(res, id, into, status = 404, param = 'id') {
	const e = expectError(res, status, 'invalid_request_error',
	    'resource_missing', param);
	assert.equal(e.message, `No such customer: '${id}'; it has been ` +
	    `deleted, merged into ${into}`);
	assert.equal(e.deleted, true);
	assert.equal(e.merged_into, into);
	return e;
}

test('a_merged_customer_answers_404_with_merged_into_on_every_route',
    async () => {
	const a = await newAccount('merge-gone-routes');
	const into = await customer(a.testKey);
	const from = await customer(a.testKey);
	expectOk(await pay(a.testKey, from.id, 100));
	expectOk(await merge(a.testKey, into.id, from.id));
	const k = a.testKey;
	const path = `/v1/customers/${from.id}`;
	expectMerged(await get(k, path), from.id, into.id);
	expectMerged(await post(k, path, { name: 'Back' }), from.id, into.id);
	expectMerged(await call(path, { method: 'PUT', key: k,
	    json: { name: 'Back' } }), from.id, into.id);
	expectMerged(await call(path, { method: 'DELETE', key: k }), from.id,
	    into.id);
	expectMerged(await get(k, `${path}/analytics`), from.id, into.id);
	expectMerged(await get(k, `${path}/analytics/volume`), from.id,
	    into.id);
	expectMerged(await get(k, `${path}/payment_methods`), from.id,
	    into.id);
	// Into it, as the survivor of another merge.
	const other = await customer(a.testKey);
	expectMerged(await merge(k, from.id, other.id), from.id, into.id);
	// Named in a parameter: 400, the same error naming the parameter.
	expectMerged(await pay(k, from.id, 100), from.id, into.id, 400,
	    'customer');
	// Nothing was changed by any of them.
	const stub = expectOk(await get(k, `/v1/customers/${into.id}`));
	assert.equal(stub.name, 'Dup');
	assert.equal((await listAll(k, `/v1/payments?customer=${into.id}`))
	    .length, 1);
});

test('merge_from_a_customer_merged_elsewhere_names_its_survivor',
    async () => {
	const a = await newAccount('merge-elsewhere');
	const into = await customer(a.testKey);
	const other = await customer(a.testKey);
	const from = await customer(a.testKey);
	expectOk(await merge(a.testKey, other.id, from.id));
	await unchanged(a.testKey, [into.id], async () =>
	    expectMerged(await merge(a.testKey, into.id, from.id), from.id,
	    other.id, 404, 'from'));
});

test('a_merged_customer_of_another_account_answers_as_if_missing',
    async () => {
	const a = await newAccount('merge-gone-iso-a');
	const b = await newAccount('merge-gone-iso-b');
	const into = await customer(b.testKey);
	const from = await customer(b.testKey);
	expectOk(await merge(b.testKey, into.id, from.id));
	const e = expectError(await get(a.testKey, `/v1/customers/${from.id}`),
	    404, 'invalid_request_error', 'resource_missing', 'id');
	assert.equal(e.message, `No such customer: '${from.id}'`);
	assert.equal(e.deleted, undefined);
	assert.equal(e.merged_into, undefined);
});

test('merge_groups_disappear_from_duplicates', async () => {
	const a = await newAccount('merge-dups');
	const into = await customer(a.testKey, { phone: '+254700000222' });
	const from = await customer(a.testKey, { phone: '+254 700 000 222' });
	const dups = async () => expectOk(await get(a.testKey,
	    '/v1/customers/duplicates')).data;
	assert.equal((await dups()).length, 1);
	expectOk(await merge(a.testKey, into.id, from.id));
	assert.deepEqual(await dups(), []);
});

test('merge_with_idempotency_key_replays_and_writes_once', async () => {
	const a = await newAccount('merge-idem');
	const into = await customer(a.testKey);
	const { from } = await loaded(a.testKey);
	const h = { 'Idempotency-Key': `merge-${from.id}` };
	const first = await merge(a.testKey, into.id, from.id, h);
	const again = await merge(a.testKey, into.id, from.id, h);
	assert.equal(again.status, 200);
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.deepEqual(again.json, first.json);
	assert.equal((await events(a.testKey, 'customer.merged')).length, 1);
});

test('merging_an_already_merged_customer_again_changes_nothing', async () => {
	const a = await newAccount('merge-again');
	const into = await customer(a.testKey);
	const { from } = await loaded(a.testKey);
	const first = expectOk(await merge(a.testKey, into.id, from.id));
	const ana = await analytics(a.testKey, into.id);
	const evs = await listAll(a.testKey, '/v1/events');
	const again = expectOk(await merge(a.testKey, into.id, from.id));
	assert.deepEqual(again, first);
	assert.deepEqual(await analytics(a.testKey, into.id), ana);
	assert.deepEqual(await listAll(a.testKey, '/v1/events'), evs);
});

// What a refusal must leave alone: both customers, their payments and
// the events.
async function unchanged(key, ids, fn) {
	const state = async () => ({
		customers: await Promise.all(ids.map(async (id) =>
		    (await get(key, `/v1/customers/${id}`)).json)),
		payments: await Promise.all(ids.map((id) => listAll(key,
		    `/v1/payments?customer=${id}`))),
		events: await listAll(key, '/v1/events'),
	});
	const before = await state();
	await fn();
	assert.deepEqual(await state(), before);
}

test('merge_into_itself_is_refused', async () => {
	const a = await newAccount('merge-self');
	const c = await customer(a.testKey);
	expectOk(await pay(a.testKey, c.id, 100));
	await unchanged(a.testKey, [c.id], async () =>
	    expectError(await merge(a.testKey, c.id, c.id), 400,
	    'invalid_request_error', 'parameter_invalid', 'from'));
});

test('merge_without_from_is_refused', async () => {
	const a = await newAccount('merge-nofrom');
	const c = await customer(a.testKey);
	await unchanged(a.testKey, [c.id], async () => {
		expectError(await post(a.testKey, `/v1/customers/${c.id}/merge`,
		    {}), 400, 'invalid_request_error', 'parameter_missing',
		    'from');
		expectError(await post(a.testKey, `/v1/customers/${c.id}/merge`,
		    { from: c.id, extra: 1 }), 400, 'invalid_request_error',
		    'parameter_unknown', 'extra');
	});
});

test('merge_from_an_unknown_id_answers_404', async () => {
	const a = await newAccount('merge-unknown');
	const c = await customer(a.testKey);
	for (const id of ['cust_NoSuchCustomer00', 'nope', 'cust_x\' OR 1=1'])
		await unchanged(a.testKey, [c.id], async () => {
			const e = expectError(await merge(a.testKey, c.id, id),
			    404, 'invalid_request_error', 'resource_missing',
			    'from');
			assert.match(e.message, /No such customer/);
		});
});

test('merge_from_another_account_answers_as_if_missing', async () => {
	const a = await newAccount('merge-iso-a');
	const b = await newAccount('merge-iso-b');
	const into = await customer(a.testKey);
	const theirs = await customer(b.testKey);
	expectOk(await pay(b.testKey, theirs.id, 100));
	const missing = await merge(a.testKey, into.id, 'cust_NoSuchCustomer00');
	await unchanged(b.testKey, [theirs.id], async () =>
	    unchanged(a.testKey, [into.id], async () => {
		const r = await merge(a.testKey, into.id, theirs.id);
		const e = expectError(r, 404, 'invalid_request_error',
		    'resource_missing', 'from');
		assert.equal(e.message, missing.json.error.message
		    .replace('cust_NoSuchCustomer00', theirs.id));
	}));
	// Nor into another account's customer.
	await unchanged(b.testKey, [theirs.id], async () =>
		expectError(await merge(a.testKey, theirs.id, into.id), 404,
		    'invalid_request_error', 'resource_missing', 'id'));
});

test('merge_from_the_other_mode_answers_as_if_missing', async () => {
	const a = await newAccount('merge-mode');
	const into = await customer(a.testKey);
	const live = await customer(a.liveKey);
	await unchanged(a.liveKey, [live.id], async () =>
	    expectError(await merge(a.testKey, into.id, live.id), 404,
	    'invalid_request_error', 'resource_missing', 'from'));
});

test('merge_into_a_deleted_customer_is_refused', async () => {
	const a = await newAccount('merge-deleted-into');
	const into = await customer(a.testKey);
	const from = await customer(a.testKey);
	expectOk(await pay(a.testKey, from.id, 100));
	expectOk(await call(`/v1/customers/${into.id}`,
	    { method: 'DELETE', key: a.testKey }));
	await unchanged(a.testKey, [from.id], async () =>
	    expectError(await merge(a.testKey, into.id, from.id), 404,
	    'invalid_request_error', 'resource_missing', 'id'));
});

test('merge_from_a_deleted_or_elsewhere_merged_customer_is_refused',
    async () => {
	const a = await newAccount('merge-deleted-from');
	const into = await customer(a.testKey);
	const other = await customer(a.testKey);
	const gone = await customer(a.testKey);
	const merged = await customer(a.testKey);
	expectOk(await call(`/v1/customers/${gone.id}`,
	    { method: 'DELETE', key: a.testKey }));
	expectOk(await merge(a.testKey, other.id, merged.id));
	for (const id of [gone.id, merged.id])
		await unchanged(a.testKey, [into.id], async () =>
		    expectError(await merge(a.testKey, into.id, id), 404,
		    'invalid_request_error', 'resource_missing', 'from'));
});

test('merge_across_test_clocks_is_refused', async () => {
	const a = await newAccount('merge-clock');
	const clock = expectOk(await post(a.testKey,
	    '/v1/test_helpers/test_clocks',
	    { frozen_time: Math.floor(Date.now() / 1000) }));
	const into = await customer(a.testKey);
	const from = await customer(a.testKey, { test_clock: clock.id });
	await unchanged(a.testKey, [into.id, from.id], async () =>
	    expectError(await merge(a.testKey, into.id, from.id), 400,
	    'invalid_request_error', 'parameter_invalid', 'from'));
});

test('merge_needs_customers_write', async () => {
	const a = await newAccount('merge-perm');
	const into = await customer(a.testKey);
	const from = await customer(a.testKey);
	const { key } = await newKey(a, 'test', 'customers:read');
	await unchanged(a.testKey, [into.id, from.id], async () =>
	    expectError(await merge(key, into.id, from.id), 403,
	    'permission_error', 'permission_denied'));
});
