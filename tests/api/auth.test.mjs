// Authentication (API.md "Authentication and modes", contract.md rows
// 401/403): Bearer and Basic, unknown and revoked keys, restricted keys.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey, revokeKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct;		// the file's account
let seeded;		// one customer made with the secret test key

const create = (key, email = uniqEmail('auth')) => call('/v1/customers',
    { method: 'POST', key, json: { name: 'Auth Test', email } });

async function emailCount(email) {
	const l = expectOk(await call(
	    `/v1/customers?email=${encodeURIComponent(email)}`,
	    { key: acct.testKey }));
	return l.data.length;
}

before(async () => {
	acct = await newAccount('api-auth');
	seeded = expectOk(await create(acct.testKey));
});

test('no_authorization_header_answers_401_api_key_missing', async () => {
	expectError(await call('/v1/customers'),
	    401, 'authentication_error', 'api_key_missing', null);
});

test('unknown_secret_key_answers_401_api_key_invalid', async () => {
	expectError(await call('/v1/customers',
	    { key: 'sk_test_' + 'Zz9'.repeat(8) }),
	    401, 'authentication_error', 'api_key_invalid', null);
});

test('malformed_key_answers_401_api_key_invalid', async () => {
	expectError(await call('/v1/customers', { key: 'not-a-key' }),
	    401, 'authentication_error', 'api_key_invalid', null);
});

test('basic_auth_with_unknown_key_answers_401_api_key_invalid', async () => {
	expectError(await call('/v1/customers',
	    { basic: 'sk_test_' + 'Qq1'.repeat(8) }),
	    401, 'authentication_error', 'api_key_invalid', null);
});

test('basic_auth_that_is_not_base64_answers_401_api_key_invalid', async () => {
	expectError(await call('/v1/customers',
	    { headers: { Authorization: 'Basic %%%not base64%%%' } }),
	    401, 'authentication_error', 'api_key_invalid', null);
});

test('basic_auth_with_key_and_empty_password_is_accepted', async () => {
	const got = expectOk(await call(`/v1/customers/${seeded.id}`,
	    { basic: acct.testKey }));
	assert.deepEqual(got, seeded);
});

test('a_401_writes_nothing', async () => {
	const email = uniqEmail('auth401');
	expectError(await create('sk_test_' + 'Ab3'.repeat(8), email),
	    401, 'authentication_error', 'api_key_invalid', null);
	assert.equal(await emailCount(email), 0);
});

test('revoked_secret_key_answers_401_api_key_invalid', async () => {
	const k = await newKey(acct.id, 'test');
	assert.match(k.key, /^sk_test_/);
	expectOk(await call('/v1/customers', { key: k.key }));
	await revokeKey(k.key);
	expectError(await call('/v1/customers', { key: k.key }),
	    401, 'authentication_error', 'api_key_invalid', null);
	expectError(await call('/v1/customers', { basic: k.key }),
	    401, 'authentication_error', 'api_key_invalid', null);
});

test('revoked_restricted_key_answers_401_api_key_invalid', async () => {
	const k = await newKey(acct.id, 'test', 'customers:read');
	expectOk(await call('/v1/customers', { key: k.key }));
	await revokeKey(k.key);
	expectError(await call('/v1/customers', { key: k.key }),
	    401, 'authentication_error', 'api_key_invalid', null);
});

test('restricted_keys_are_named_rk_test_and_rk_live', async () => {
	const t = await newKey(acct.id, 'test', 'customers:read');
	const l = await newKey(acct.id, 'live', 'customers:read');
	assert.match(t.key, /^rk_test_/);
	assert.match(l.key, /^rk_live_/);
});

test('read_only_key_can_list_retrieve_and_search', async () => {
	const k = await newKey(acct.id, 'test', 'customers:read');
	const list = expectOk(await call('/v1/customers?limit=100', { key: k.key }));
	assert.ok(list.data.some((c) => c.id === seeded.id));
	assert.deepEqual(expectOk(await call(`/v1/customers/${seeded.id}`,
	    { key: k.key })), seeded);
	const s = expectOk(await call('/v1/customers/search?query=' +
	    encodeURIComponent(`email:'${seeded.email}'`), { key: k.key }));
	assert.deepEqual(s.data.map((c) => c.id), [seeded.id]);
});

test('read_only_key_gets_403_on_create_and_writes_nothing', async () => {
	const k = await newKey(acct.id, 'test', 'customers:read');
	const email = uniqEmail('ro');
	expectError(await create(k.key, email),
	    403, 'permission_error', 'permission_denied', null);
	assert.equal(await emailCount(email), 0);
});

test('read_only_key_gets_403_on_update_put_and_post', async () => {
	const k = await newKey(acct.id, 'test', 'customers:read');
	for (const method of ['PUT', 'POST'])
		expectError(await call(`/v1/customers/${seeded.id}`,
		    { method, key: k.key, json: { name: 'Changed' } }),
		    403, 'permission_error', 'permission_denied', null);
	assert.deepEqual(expectOk(await call(`/v1/customers/${seeded.id}`,
	    { key: acct.testKey })), seeded);
});

test('read_only_key_gets_403_on_delete', async () => {
	const k = await newKey(acct.id, 'test', 'customers:read');
	expectError(await call(`/v1/customers/${seeded.id}`,
	    { method: 'DELETE', key: k.key }),
	    403, 'permission_error', 'permission_denied', null);
	expectOk(await call(`/v1/customers/${seeded.id}`, { key: acct.testKey }));
});

test('write_key_can_create_update_read_and_delete', async () => {
	// customers:write implies customers:read
	const k = await newKey(acct.id, 'test', 'customers:write');
	const c = expectOk(await create(k.key));
	expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'PUT', key: k.key, json: { name: 'Written' } }));
	assert.equal(expectOk(await call(`/v1/customers/${c.id}`,
	    { key: k.key })).name, 'Written');
	expectOk(await call('/v1/customers', { key: k.key }));
	expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: k.key }));
});

test('key_without_customer_permissions_gets_403_on_list', async () => {
	const k = await newKey(acct.id, 'test', 'payments:read');
	expectError(await call('/v1/customers', { key: k.key }),
	    403, 'permission_error', 'permission_denied', null);
	expectError(await call(`/v1/customers/${seeded.id}`, { key: k.key }),
	    403, 'permission_error', 'permission_denied', null);
});

test('live_restricted_key_sees_live_customers_only', async () => {
	const k = await newKey(acct.id, 'live', 'customers:read');
	expectError(await call(`/v1/customers/${seeded.id}`, { key: k.key }),
	    404, 'invalid_request_error', 'resource_missing', 'id');
	const live = expectOk(await create(acct.liveKey));
	assert.equal(live.livemode, true);
	const got = expectOk(await call(`/v1/customers/${live.id}`,
	    { key: k.key }));
	assert.deepEqual(got, live);
});

test('stripe_client_headers_are_ignored', async () => {
	const res = await call(`/v1/customers/${seeded.id}`, {
		key: acct.testKey,
		headers: {
			'Stripe-Version': '2023-10-16',
			'X-Stripe-Client-User-Agent': '{"bindings_version":"14.0.0","lang":"node"}',
			'User-Agent': 'Stripe/v1 NodeBindings/14.0.0',
			'Stripe-Account': 'acct_ignored',
		},
	});
	assert.deepEqual(expectOk(res), seeded);
});

test('get_with_form_content_type_and_empty_body_is_accepted', async () => {
	// what Stripe clients send on GET
	expectOk(await call('/v1/customers', { key: acct.testKey,
	    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }));
});

test('delete_with_form_content_type_and_empty_body_is_accepted', async () => {
	const c = expectOk(await create(acct.testKey));
	const d = expectOk(await call(`/v1/customers/${c.id}`, {
		method: 'DELETE', key: acct.testKey,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	}));
	assert.equal(d.deleted, true);
});
