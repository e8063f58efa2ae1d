// GET /v1/events?customer= and data.previous_attributes on
// customer.updated (issue 15): the events about a customer (the customer
// itself, or objects whose customer it is), only of the caller's account
// and mode; previous_attributes holds exactly the changed keys' old
// values.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct, other;
before(async () => {
	acct = await newAccount('api-events-customer');
	other = await newAccount('api-events-customer-other');
});

const post = async (path, json, key = acct.testKey) =>
    expectOk(await call(path, { method: 'POST', key, json }));
const events = async (qs, key = acct.testKey) =>
    expectOk(await call(`/v1/events?${qs}`, { key })).data;
const customer = (key = acct.testKey, extra = {}) => post('/v1/customers',
    { name: 'Evented', email: uniqEmail('evc'), ...extra }, key);

test('customer_filter_finds_the_customer_and_its_objects', async () => {
	const c = await customer();
	const noise = await customer();
	await post(`/v1/customers/${c.id}`, { name: 'Renamed' });
	const pay = await post('/v1/payments', { amount: 1200, currency: 'usd',
	    customer: c.id });
	await post(`/v1/customers/${noise.id}`, { name: 'Other' });
	const got = await events(`customer=${c.id}&limit=100`);
	assert.deepEqual(got.map((e) => e.type),
	    ['payment.succeeded', 'customer.updated', 'customer.created']);
	assert.equal(got[0].data.object.id, pay.id);
	assert.ok(got.every((e) => e.data.object.id === c.id ||
	    e.data.object.customer === c.id));
});

test('customer_filter_with_type_and_paging', async () => {
	const c = await customer();
	for (const name of ['A', 'B', 'C'])
		await post(`/v1/customers/${c.id}`, { name });
	const upd = await events(`customer=${c.id}&type=customer.updated`);
	assert.equal(upd.length, 3);
	const page1 = expectOk(await call(`/v1/events?customer=${c.id}&limit=2`,
	    { key: acct.testKey }));
	assert.equal(page1.data.length, 2);
	assert.equal(page1.has_more, true);
	const page2 = await events(`customer=${c.id}&limit=10&starting_after=` +
	    page1.data[1].id);
	assert.equal(page2.length, 2);
	assert.equal(page2[1].type, 'customer.created');
});

test('customer_filter_is_scoped_by_account_and_mode', async () => {
	const c = await customer();
	assert.deepEqual(await events(`customer=${c.id}`, acct.liveKey), []);
	assert.deepEqual(await events(`customer=${c.id}`, other.testKey), []);
	assert.equal((await events(`customer=${c.id}`)).length, 1);
});

test('unknown_customer_lists_nothing', async () => {
	assert.deepEqual(await events('customer=cust_' + 'Q'.repeat(16)), []);
});

test('previous_attributes_holds_exactly_the_changed_keys', async () => {
	const c = await customer(acct.testKey, { phone: '+254700000009',
	    metadata: { tier: 'gold' }, description: 'old' });
	await post(`/v1/customers/${c.id}`, { name: 'New Name',
	    description: 'new', metadata: { tier: 'gold' },
	    address: { country: 'KE' } });
	const [e] = await events(`customer=${c.id}&type=customer.updated`);
	assert.deepEqual(e.data.previous_attributes, { name: 'Evented',
	    description: 'old', address: null });
	assert.equal(e.data.object.name, 'New Name');
});

test('previous_attributes_of_metadata_and_phone_removal', async () => {
	const c = await customer(acct.testKey, { phone: '+254700000009',
	    metadata: { a: '1' } });
	await post(`/v1/customers/${c.id}`, { phone: '', metadata: { b: '2' } });
	const [e] = await events(`customer=${c.id}&type=customer.updated`);
	assert.deepEqual(e.data.previous_attributes, { phone: '+254700000009',
	    metadata: { a: '1' } });
});

test('created_and_deleted_have_no_previous_attributes', async () => {
	const c = await customer();
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: acct.testKey }));
	const got = await events(`customer=${c.id}`);
	assert.deepEqual(got.map((e) => e.type),
	    ['customer.deleted', 'customer.created']);
	assert.ok(got.every((e) => !('previous_attributes' in e.data)));
});

test('customer_filter_must_be_a_string', async () => {
	expectError(await call('/v1/events?customer[x]=1',
	    { key: acct.testKey }), 400, 'invalid_request_error',
	    'parameter_invalid', 'customer');
});
