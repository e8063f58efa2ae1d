// DELETE /v1/customers/:id ends what would go on running for the
// customer, in the deletion's transaction and each with its event (issue
// 15): subscriptions not ended are canceled, schedules yet to run are
// canceled, saved payment methods are detached; the answer lists them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct;
before(async () => { acct = await newAccount('api-customer-delete'); });

const post = async (path, json, key = acct.testKey) =>
    expectOk(await call(path, { method: 'POST', key, json }));
const get = async (path, key = acct.testKey) =>
    expectOk(await call(path, { key }));

// A customer paying with a saved card, subscribed to PRICE, with a
// schedule a day ahead.
async function busyCustomer(price) {
	const c = await post('/v1/customers', { name: 'Busy',
	    email: uniqEmail('busy') });
	const pm = await post(`/v1/customers/${c.id}/payment_methods`,
	    { payment_method: 'pm_card_visa' });
	await post(`/v1/customers/${c.id}`,
	    { invoice_settings: { default_payment_method: pm.id } });
	const sub = await post('/v1/subscriptions', { customer: c.id,
	    price: price.id });
	assert.equal(sub.status, 'active');
	const sched = await post('/v1/payment_schedules', { customer: c.id,
	    amount: 500, currency: 'usd',
	    run_at: Math.floor(Date.now() / 1000) + 86400 });
	return { c, pm, sub, sched };
}

async function eventsOf(type, id) {
	const l = await get(`/v1/events?type=${type}&limit=100`);
	return l.data.filter((e) => e.data.object.id === id);
}

test('delete_cancels_subscriptions_and_schedules_and_detaches_methods',
    async () => {
	const price = await post('/v1/prices', { unit_amount: 1000,
	    currency: 'usd', recurring: { interval: 'month' } });
	const { c, pm, sub, sched } = await busyCustomer(price);
	const d = expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	assert.deepEqual(d, { id: c.id, object: 'customer', deleted: true,
	    canceled_subscriptions: [sub.id],
	    canceled_payment_schedules: [sched.id],
	    detached_payment_methods: [pm.id] });
	const s = await get(`/v1/subscriptions/${sub.id}`);
	assert.equal(s.status, 'canceled');
	assert.equal((await get(`/v1/payment_schedules/${sched.id}`)).status,
	    'canceled');
	assert.equal((await eventsOf('subscription.deleted', sub.id)).length, 1);
	assert.equal((await eventsOf('payment_schedule.canceled',
	    sched.id)).length, 1);
	const det = await eventsOf('payment_method.detached', pm.id);
	assert.equal(det.length, 1);
	assert.equal(det[0].data.object.customer, null);
	const gone = await eventsOf('customer.deleted', c.id);
	assert.equal(gone.length, 1);
	assert.equal(gone[0].data.object.invoice_settings.default_payment_method,
	    null);
});

test('already_ended_subscriptions_are_left_alone', async () => {
	const price = await post('/v1/prices', { unit_amount: 700,
	    currency: 'usd', recurring: { interval: 'month' } });
	const { c, sub, sched } = await busyCustomer(price);
	expectOk(await call(`/v1/subscriptions/${sub.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	expectOk(await call(`/v1/payment_schedules/${sched.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	const d = expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	assert.equal(d.canceled_subscriptions, undefined);
	assert.equal(d.canceled_payment_schedules, undefined);
	assert.equal((await eventsOf('subscription.deleted', sub.id)).length, 1);
});

test('a_plain_delete_answers_the_stub_exactly', async () => {
	const c = await post('/v1/customers', { name: 'Plain',
	    email: uniqEmail('plain') });
	assert.deepEqual(expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey })),
	    { id: c.id, object: 'customer', deleted: true });
});

test('a_deleted_customer_cannot_be_subscribed_again', async () => {
	const price = await post('/v1/prices', { unit_amount: 300,
	    currency: 'usd', recurring: { interval: 'month' } });
	const { c } = await busyCustomer(price);
	expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	const e = expectError(await call('/v1/subscriptions', { method: 'POST',
	    key: acct.testKey, json: { customer: c.id, price: price.id } }),
	    400, 'invalid_request_error', 'resource_missing', 'customer');
	assert.equal(e.deleted, true);
});

// Every route of a deleted customer answers GET's 404 (issue 15): the
// message says so, with deleted: true and no merged_into.
test('a_deleted_customer_answers_the_same_404_on_every_route', async () => {
	const c = await post('/v1/customers', { name: 'Gone',
	    email: uniqEmail('gone') });
	const path = `/v1/customers/${c.id}`;
	expectOk(await call(path, { method: 'DELETE', key: acct.testKey }));
	const k = acct.testKey;
	for (const res of [
		await call(path, { key: k }),
		await call(path, { method: 'POST', key: k, json: { name: 'X' } }),
		await call(path, { method: 'DELETE', key: k }),
		await call(`${path}/analytics`, { key: k }),
		await call(`${path}/analytics/volume`, { key: k }),
		await call(`${path}/payment_methods`, { key: k }),
	]) {
		const e = expectError(res, 404, 'invalid_request_error',
		    'resource_missing', 'id');
		assert.equal(e.message,
		    `No such customer: '${c.id}'; it has been deleted`);
		assert.equal(e.deleted, true);
		assert.equal(e.merged_into, undefined);
	}
});
