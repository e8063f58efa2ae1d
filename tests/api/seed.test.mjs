// The seed's customer curl examples (shared/seed/customers.md), sent as
// written, with Bearer and with `curl -u key:` Basic auth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError } from '../lib/openapi.mjs';

// The -d argument of the seed's create example, byte for byte: curl sends
// a literal -d string as is, newlines and indentation included.
const SEED_CREATE_BODY = `{
    "name": "John Doe",
    "email": "john.doe@example.com",
    "phone": "+1234567890"
  }`;

// What curl adds by itself (besides Host and Content-Length).
const CURL = { 'User-Agent': 'curl/7.88.1', Accept: '*/*' };

const bearer = (key) => ({ Authorization: `Bearer ${key}` });
const basic = (key) => ({
	Authorization: 'Basic ' + Buffer.from(`${key}:`).toString('base64'),
});

function seedCreate(auth) {
	return call('/v1/customers', {
		method: 'POST',
		headers: { ...CURL, ...auth, 'Content-Type': 'application/json' },
		body: SEED_CREATE_BODY,
	});
}

function assertSeedCustomer(c) {
	const now = Math.floor(Date.now() / 1000);
	assert.match(c.id, /^cust_[0-9A-Za-z]{16}$/);
	assert.equal(c.object, 'customer');
	assert.equal(c.name, 'John Doe');
	assert.equal(c.email, 'john.doe@example.com');
	assert.equal(c.phone, '+1234567890');
	assert.deepEqual(c.metadata, {});
	assert.equal(c.created, c.updated);
	assert.ok(Math.abs(c.created - now) < 120, `created ${c.created} is not now`);
	assert.equal(c.livemode, false);
}

test('seed_create_example_with_bearer_answers_the_customer', async () => {
	const acct = await newAccount('seed-create-bearer');
	const c = expectOk(await seedCreate(bearer(acct.testKey)));
	assertSeedCustomer(c);
	// the customer is really stored
	const got = expectOk(await call(`/v1/customers/${c.id}`,
	    { headers: { ...CURL, ...bearer(acct.testKey) } }));
	assert.deepEqual(got, c);
});

test('seed_create_example_with_basic_auth_answers_the_customer', async () => {
	const acct = await newAccount('seed-create-basic');
	const c = expectOk(await seedCreate(basic(acct.testKey)));
	assertSeedCustomer(c);
});

test('seed_create_example_with_live_key_makes_a_live_customer', async () => {
	const acct = await newAccount('seed-create-live');
	const c = expectOk(await seedCreate(bearer(acct.liveKey)));
	assert.equal(c.livemode, true);
	assert.equal(c.email, 'john.doe@example.com');
});

test('seed_create_example_twice_answers_409_duplicate_email', async () => {
	const acct = await newAccount('seed-create-twice');
	const first = expectOk(await seedCreate(bearer(acct.testKey)));
	const e = expectError(await seedCreate(bearer(acct.testKey)), 409,
	    'invalid_request_error', 'resource_already_exists', 'email');
	assert.equal(e.existing_id, first.id);
});

for (const [label, auth] of [['bearer', bearer], ['basic_auth', basic]]) {
	test(`seed_list_example_with_${label}_lists_the_customer`, async () => {
		const acct = await newAccount(`seed-list-${label}`);
		const c = expectOk(await seedCreate(auth(acct.testKey)));
		const list = expectOk(await call('/v1/customers',
		    { headers: { ...CURL, ...auth(acct.testKey) } }));
		assert.equal(list.object, 'list');
		assert.deepEqual(list.data, [c]);
		assert.equal(list.has_more, false);
	});

	test(`seed_retrieve_example_with_${label}_answers_the_customer`, async () => {
		const acct = await newAccount(`seed-get-${label}`);
		const c = expectOk(await seedCreate(auth(acct.testKey)));
		const got = expectOk(await call(`/v1/customers/${c.id}`,
		    { method: 'GET', headers: { ...CURL, ...auth(acct.testKey) } }));
		assert.deepEqual(got, c);
	});

	test(`seed_update_example_put_with_${label}_changes_the_customer`, async () => {
		const acct = await newAccount(`seed-put-${label}`);
		const c = expectOk(await seedCreate(auth(acct.testKey)));
		const u = expectOk(await call(`/v1/customers/${c.id}`, {
			method: 'PUT',
			headers: { ...CURL, ...auth(acct.testKey),
			    'Content-Type': 'application/json' },
			body: '{\n    "name": "Johnny Doe",\n    "phone": "+1234567891"\n  }',
		}));
		assert.equal(u.id, c.id);
		assert.equal(u.name, 'Johnny Doe');
		assert.equal(u.phone, '+1234567891');
		assert.equal(u.email, c.email);
		const got = expectOk(await call(`/v1/customers/${c.id}`,
		    { headers: auth(acct.testKey) }));
		assert.deepEqual(got, u);
	});

	test(`seed_delete_example_with_${label}_deletes_the_customer`, async () => {
		const acct = await newAccount(`seed-delete-${label}`);
		const c = expectOk(await seedCreate(auth(acct.testKey)));
		const d = expectOk(await call(`/v1/customers/${c.id}`, {
			method: 'DELETE', headers: { ...CURL, ...auth(acct.testKey) },
		}));
		assert.deepEqual(d, { id: c.id, object: 'customer', deleted: true });
		expectError(await call(`/v1/customers/${c.id}`,
		    { headers: auth(acct.testKey) }),
		    404, 'invalid_request_error', 'resource_missing', 'id');
	});
}

test('seed_service_provider_example_keeps_its_metadata', async () => {
	const acct = await newAccount('seed-metadata');
	const c = expectOk(await call('/v1/customers', {
		method: 'POST', key: acct.testKey,
		json: {
			name: 'Acme Corporation',
			email: 'accounting@acme.com',
			metadata: {
				company: 'Acme Corporation',
				contract_id: 'CONTRACT_2024_001',
			},
		},
	}));
	assert.deepEqual(c.metadata, {
		company: 'Acme Corporation', contract_id: 'CONTRACT_2024_001',
	});
	assert.equal(c.phone, null);
});

test('seed_analytics_example_answers_empty_analytics_for_a_new_customer', async () => {
	// contract.md: 404 until the payments issue; the tree now has payments,
	// so the seed's example answers the analytics of a customer with none.
	const acct = await newAccount('seed-analytics');
	const c = expectOk(await seedCreate(bearer(acct.testKey)));
	const a = expectOk(await call(`/v1/customers/${c.id}/analytics`,
	    { method: 'GET', headers: { ...CURL, ...bearer(acct.testKey) } }));
	assert.deepEqual(a, { object: 'customer_analytics', customer: c.id,
	    livemode: false, total_payments: 0, failed_payments: 0, volume: [],
	    last_payment: null });
});

test('seed_analytics_example_for_an_unknown_customer_answers_404', async () => {
	const acct = await newAccount('seed-analytics-404');
	const id = 'cust_1NvQI2eZvKYlo2C0';
	const res = await call(`/v1/customers/${id}/analytics`,
	    { method: 'GET', headers: { ...CURL, ...bearer(acct.testKey) } });
	expectError(res, 404, 'invalid_request_error', 'resource_missing', 'id');
});
