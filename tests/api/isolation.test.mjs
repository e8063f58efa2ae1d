// Two accounts and both modes never see each other's customers (API.md
// "Authentication and modes": another account's or mode's id answers 404
// exactly as an id that does not exist).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let A, B;		// two accounts
let a;			// A's test-mode customer
const email = uniqEmail('iso');

const create = (key, body) => call('/v1/customers',
    { method: 'POST', key, json: body });

function expectNoSuchCustomer(res, id) {
	const e = expectError(res, 404, 'invalid_request_error',
	    'resource_missing', 'id');
	assert.equal(e.message, `No such customer: '${id}'`);
}

before(async () => {
	A = await newAccount('api-isolation-a');
	B = await newAccount('api-isolation-b');
	a = expectOk(await create(A.testKey,
	    { name: 'Isolated', email, metadata: { owner: 'A' } }));
});

async function unchanged() {
	assert.deepEqual(expectOk(await call(`/v1/customers/${a.id}`,
	    { key: A.testKey })), a);
}

// The keys that must not see A's test-mode customer (read when the tests
// run, after before() made the accounts).
const OTHERS = {
	other_account_test_key: () => B.testKey,
	other_account_live_key: () => B.liveKey,
	same_account_live_key: () => A.liveKey,
};

for (const [label, keyOf] of Object.entries(OTHERS)) {
	test(`retrieve_with_${label}_answers_404_as_unknown_id`, async () => {
		const key = keyOf();
		const res = await call(`/v1/customers/${a.id}`, { key });
		expectNoSuchCustomer(res, a.id);
		// same answer as an id that never existed (but the request id)
		const unknown = 'cust_' + '0'.repeat(16);
		const res2 = await call(`/v1/customers/${unknown}`, { key });
		expectNoSuchCustomer(res2, unknown);
	});

	test(`update_with_${label}_answers_404_and_changes_nothing`, async () => {
		const key = keyOf();
		for (const method of ['PUT', 'POST'])
			expectNoSuchCustomer(await call(`/v1/customers/${a.id}`,
			    { method, key, json: { name: 'Hijacked' } }), a.id);
		await unchanged();
	});

	test(`delete_with_${label}_answers_404_and_deletes_nothing`, async () => {
		const key = keyOf();
		expectNoSuchCustomer(await call(`/v1/customers/${a.id}`,
		    { method: 'DELETE', key }), a.id);
		await unchanged();
	});

	test(`list_with_${label}_does_not_show_the_customer`, async () => {
		const key = keyOf();
		const l = expectOk(await call('/v1/customers?limit=100', { key }));
		assert.ok(!l.data.some((c) => c.id === a.id));
		const byEmail = expectOk(await call('/v1/customers?email=' +
		    encodeURIComponent(email), { key }));
		assert.ok(!byEmail.data.some((c) => c.id === a.id));
	});

	test(`search_with_${label}_does_not_find_the_customer`, async () => {
		const key = keyOf();
		for (const q of [`email:'${email}'`, `metadata['owner']:'A'`,
		    email.split('@')[0]]) {
			const s = expectOk(await call('/v1/customers/search?query=' +
			    encodeURIComponent(q), { key }));
			assert.ok(!s.data.some((c) => c.id === a.id), q);
		}
	});

	test(`cursor_of_${label}_answers_400_resource_missing`, async () => {
		const key = keyOf();
		for (const p of ['starting_after', 'ending_before'])
			expectError(await call(`/v1/customers?${p}=${a.id}`, { key }),
			    400, 'invalid_request_error', 'resource_missing', p);
	});
}

test('same_email_is_allowed_in_live_mode_of_the_same_account', async () => {
	const live = expectOk(await create(A.liveKey, { name: 'Live Twin', email }));
	assert.notEqual(live.id, a.id);
	assert.equal(live.livemode, true);
	await unchanged();
});

test('same_email_is_allowed_in_another_account', async () => {
	const b = expectOk(await create(B.testKey, { name: 'Other Twin', email }));
	assert.notEqual(b.id, a.id);
	assert.equal(b.livemode, false);
	// each account's email filter finds its own only
	const la = expectOk(await call('/v1/customers?email=' +
	    encodeURIComponent(email), { key: A.testKey }));
	assert.deepEqual(la.data.map((c) => c.id), [a.id]);
	const lb = expectOk(await call('/v1/customers?email=' +
	    encodeURIComponent(email), { key: B.testKey }));
	assert.deepEqual(lb.data.map((c) => c.id), [b.id]);
});

test('livemode_follows_the_key_mode', async () => {
	const t = expectOk(await create(B.testKey,
	    { name: 'Mode', email: uniqEmail('mode') }));
	const l = expectOk(await create(B.liveKey,
	    { name: 'Mode', email: uniqEmail('mode') }));
	assert.equal(t.livemode, false);
	assert.equal(l.livemode, true);
	const ll = expectOk(await call('/v1/customers?limit=100',
	    { key: B.liveKey }));
	assert.ok(ll.data.every((c) => c.livemode === true));
	assert.ok(ll.data.some((c) => c.id === l.id));
	assert.ok(!ll.data.some((c) => c.id === t.id));
});

test('a_fresh_account_lists_nothing', async () => {
	const C = await newAccount('api-isolation-c');
	for (const key of [C.testKey, C.liveKey]) {
		const l = expectOk(await call('/v1/customers', { key }));
		assert.deepEqual(l.data, []);
		assert.equal(l.has_more, false);
	}
});
