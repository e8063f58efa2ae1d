// The dashboard's API-keys page (dashboard contract): a session alone may
// list, create and revoke the account's keys; a key is shown once, when
// it is made, and otherwise only by its prefix and last four characters.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';
import { newUser, signIn, withSession } from '../lib/dashboard.mjs';

const KEY_KEYS = ['id', 'object', 'mode', 'type', 'redacted', 'permissions',
    'created', 'revoked'];

let acct;	// the file's account and a signed-in user of it
let s;
let other;

before(async () => {
	acct = await newAccount('api-dashboard-keys');
	other = await newAccount('api-dashboard-keys-other');
	s = await signIn(await newUser(acct));
});

const list = async (sess = s) =>
    expectOk(await withSession(sess, '/v1/dashboard/api_keys')).data;
const create = (json, opts = {}) => withSession(s, '/v1/dashboard/api_keys',
    { method: 'POST', json, ...opts });
const revoke = (id, opts = {}) => withSession(s,
    `/v1/dashboard/api_keys/${id}`, { method: 'DELETE', ...opts });
const redacted = (key) => `${key.slice(0, 8)}…${key.slice(-4)}`;

test('list_shows_the_accounts_keys_of_both_modes_redacted', async () => {
	const res = await withSession(s, '/v1/dashboard/api_keys');
	const l = expectOk(res);
	assert.equal(l.object, 'list');
	assert.equal(l.url, '/v1/dashboard/api_keys');
	assert.equal(l.has_more, false);
	const byHint = new Map(l.data.map((k) => [k.redacted, k]));
	const t = byHint.get(redacted(acct.testKey));
	const lv = byHint.get(redacted(acct.liveKey));
	assert.ok(t && lv, `both keys listed: ${res.text}`);
	assert.deepEqual(Object.keys(t), KEY_KEYS);
	assert.equal(t.mode, 'test');
	assert.equal(lv.mode, 'live');
	assert.equal(t.type, 'secret');
	assert.equal(t.permissions, null);
	assert.equal(t.revoked, false);
	// Never the key itself.
	assert.ok(!res.text.includes(acct.testKey));
	assert.ok(!res.text.includes(acct.liveKey));
	assert.ok(l.data.every((k) => !('secret' in k)));
});

test('list_shows_no_key_of_another_account', async () => {
	const data = await list();
	assert.ok(!data.some((k) => k.redacted === redacted(other.testKey)));
});

test('an_api_key_gets_403_session_required_on_every_keys_route',
    async () => {
	const before = (await list()).length;
	const k = await newKey(acct, 'test');
	for (const [method, path] of [['GET', '/v1/dashboard/api_keys'],
	    ['POST', '/v1/dashboard/api_keys'],
	    ['DELETE', `/v1/dashboard/api_keys/${k.id}`]])
		expectError(await call(path, { method, key: acct.testKey }),
		    403, 'permission_error', 'session_required', null);
	assert.equal((await list()).length, before + 1);
	expectOk(await call('/v1/customers', { key: k.key }));
});

test('keys_routes_without_key_or_session_are_401', async () => {
	expectError(await call('/v1/dashboard/api_keys'), 401,
	    'authentication_error', 'api_key_missing');
});

test('create_answers_the_secret_once_and_it_works', async () => {
	const k = expectOk(await create({}));
	assert.deepEqual(Object.keys(k), [...KEY_KEYS, 'secret']);
	assert.match(k.secret, /^sk_test_[0-9A-Za-z]{32}$/);
	assert.match(k.id, /^key_[0-9A-Za-z]{16}$/);
	assert.equal(k.mode, 'test');
	assert.equal(k.type, 'secret');
	assert.equal(k.redacted, redacted(k.secret));
	const c = expectOk(await call('/v1/customers', { method: 'POST',
	    key: k.secret, json: { name: 'By new key', email: uniqEmail('nk') } }));
	assert.equal(c.livemode, false);
	const listed = (await list()).find((x) => x.id === k.id);
	const { secret, ...shown } = k;
	assert.ok(secret);
	assert.deepEqual(listed, shown);
});

test('create_defaults_to_the_sessions_mode', async () => {
	const k = expectOk(await create({}, { mode: 'live' }));
	assert.equal(k.mode, 'live');
	assert.match(k.secret, /^sk_live_/);
	const l = expectOk(await call('/v1/customers', { key: k.secret }));
	assert.equal(l.object, 'list');
});

test('create_with_mode_overrides_the_sessions_mode', async () => {
	const k = expectOk(await create({ mode: 'test' }, { mode: 'live' }));
	assert.equal(k.mode, 'test');
	assert.match(k.secret, /^sk_test_/);
});

test('create_with_permissions_makes_a_restricted_key_that_has_only_them',
    async () => {
	const k = expectOk(await withSession(s, '/v1/dashboard/api_keys',
	    { method: 'POST', form: 'permissions[]=customers:read' }));
	assert.equal(k.type, 'restricted');
	assert.deepEqual(k.permissions, ['customers:read']);
	assert.match(k.secret, /^rk_test_[0-9A-Za-z]{32}$/);
	expectOk(await call('/v1/customers', { key: k.secret }));
	expectError(await call('/v1/customers', { method: 'POST', key: k.secret,
	    json: { name: 'No', email: uniqEmail('rk') } }), 403,
	    'permission_error', 'permission_denied');
});

test('create_with_an_unknown_permission_is_400_and_creates_nothing',
    async () => {
	const before = (await list()).length;
	expectError(await create({ permissions: ['customers:read', 'admin:all'] }),
	    400, 'invalid_request_error', 'parameter_invalid', 'permissions');
	expectError(await create({ permissions: 'customers:read' }),
	    400, 'invalid_request_error', 'parameter_invalid', 'permissions');
	assert.equal((await list()).length, before);
});

test('create_with_a_bad_mode_is_400_and_creates_nothing', async () => {
	const before = (await list()).length;
	expectError(await create({ mode: 'prod' }), 400,
	    'invalid_request_error', 'parameter_invalid', 'mode');
	expectError(await create({ scope: 'all' }), 400,
	    'invalid_request_error', 'parameter_unknown', 'scope');
	assert.equal((await list()).length, before);
});

test('create_without_csrf_token_is_403_and_creates_nothing', async () => {
	const before = (await list()).length;
	expectError(await create({}, { csrf: false }), 403,
	    'invalid_request_error', 'csrf_token_invalid');
	assert.equal((await list()).length, before);
});

test('create_is_never_replayed_so_the_secret_is_not_stored', async () => {
	const headers = { 'Idempotency-Key': `dk-${Date.now()}` };
	const a = expectOk(await create({}, { headers }));
	const b = await create({}, { headers });
	assert.equal(b.headers.get('idempotent-replayed'), null);
	assert.notEqual(expectOk(b).id, a.id);
});

test('revoke_refuses_the_key_at_once_and_drops_it_from_the_list',
    async () => {
	const k = expectOk(await create({}));
	expectOk(await call('/v1/customers', { key: k.secret }));
	assert.deepEqual(expectOk(await revoke(k.id)),
	    { id: k.id, object: 'api_key', deleted: true });
	expectError(await call('/v1/customers', { key: k.secret }), 401,
	    'authentication_error', 'api_key_invalid');
	assert.ok(!(await list()).some((x) => x.id === k.id));
});

test('revoke_twice_or_an_unknown_id_is_404', async () => {
	const k = expectOk(await create({}));
	expectOk(await revoke(k.id));
	expectError(await revoke(k.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	expectError(await revoke('key_0000000000000000'), 404,
	    'invalid_request_error', 'resource_missing', 'id');
});

test('revoke_of_another_accounts_key_is_404_and_it_keeps_working',
    async () => {
	const theirs = await newKey(other, 'test');
	expectError(await revoke(theirs.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	expectOk(await call('/v1/customers', { key: theirs.key }));
});

test('revoke_without_csrf_token_is_403_and_the_key_keeps_working',
    async () => {
	const k = expectOk(await create({}));
	expectError(await revoke(k.id, { csrf: false }), 403,
	    'invalid_request_error', 'csrf_token_invalid');
	expectOk(await call('/v1/customers', { key: k.secret }));
	assert.ok((await list()).some((x) => x.id === k.id));
});

test('a_key_revoked_by_the_dashboard_is_refused_by_a_fresh_session_too',
    async () => {
	const k = expectOk(await create({ mode: 'live' }));
	expectOk(await revoke(k.id));
	const s2 = await signIn(await newUser(acct));
	assert.ok(!(await list(s2)).some((x) => x.id === k.id));
});
