// Idempotency-Key (API.md "Requests", contract.md "Idempotency"): replays,
// conflicts, scope, and 20 concurrent requests with one key.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail } from '../lib/openapi.mjs';

let acct;
before(async () => { acct = await newAccount('api-idempotency'); });

const post = (body, idem, key = acct.testKey) => call('/v1/customers', {
	method: 'POST', key, json: body,
	headers: idem === undefined ? {} : { 'Idempotency-Key': idem },
});
async function countEmail(email, key = acct.testKey) {
	return expectOk(await call('/v1/customers?email=' +
	    encodeURIComponent(email), { key })).data.length;
}
const replayed = (res) => res.headers.get('idempotent-replayed');

test('replay_answers_the_same_status_and_body_with_the_replayed_header', async () => {
	const k = uniq('idem-');
	const body = { name: 'Once', email: uniqEmail('once') };
	const first = await post(body, k);
	expectOk(first);
	assert.equal(replayed(first), null, 'the first answer is not a replay');
	const second = await post(body, k);
	assert.equal(second.status, first.status);
	assert.equal(second.text, first.text, 'the same body, byte for byte');
	assert.equal(replayed(second), 'true');
	assert.notEqual(second.headers.get('request-id'),
	    first.headers.get('request-id'));
	assert.equal(await countEmail(body.email), 1);
});

test('replay_after_the_customer_changed_still_answers_the_first_body', async () => {
	const k = uniq('idem-');
	const body = { name: 'Original', email: uniqEmail('chg') };
	const first = await post(body, k);
	const c = expectOk(first);
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'POST',
	    key: acct.testKey, json: { name: 'Changed' } }));
	const again = await post(body, k);
	assert.equal(again.text, first.text);
	assert.equal(replayed(again), 'true');
	assert.equal(await countEmail(body.email), 1);
});

test('key_reused_with_another_body_answers_409_idempotency_key_reused', async () => {
	const k = uniq('idem-');
	expectOk(await post({ name: 'A', email: uniqEmail('ra') }, k));
	const other = uniqEmail('rb');
	expectError(await post({ name: 'B', email: other }, k), 409,
	    'idempotency_error', 'idempotency_key_reused', null);
	assert.equal(await countEmail(other), 0);
});

test('key_reused_on_another_path_answers_409_idempotency_key_reused', async () => {
	const k = uniq('idem-');
	const c = expectOk(await post({ name: 'P', email: uniqEmail('rp') }, k));
	expectError(await call(`/v1/customers/${c.id}`, { method: 'POST',
	    key: acct.testKey, json: { name: 'P2' }, headers: { 'Idempotency-Key': k } }),
	    409, 'idempotency_error', 'idempotency_key_reused', null);
	assert.equal(expectOk(await call(`/v1/customers/${c.id}`,
	    { key: acct.testKey })).name, 'P');
});

test('keys_are_per_mode', async () => {
	const k = uniq('idem-');
	const body = { name: 'Mode', email: uniqEmail('mode') };
	const t = expectOk(await post(body, k));
	const liveRes = await post(body, k, acct.liveKey);
	const l = expectOk(liveRes);
	assert.equal(replayed(liveRes), null);
	assert.notEqual(l.id, t.id);
	assert.equal(l.livemode, true);
});

test('keys_are_per_account', async () => {
	const other = await newAccount('api-idempotency-other');
	const k = uniq('idem-');
	const body = { name: 'Acct', email: uniqEmail('acct') };
	const a = expectOk(await post(body, k));
	const res = await post(body, k, other.testKey);
	const b = expectOk(res);
	assert.equal(replayed(res), null);
	assert.notEqual(a.id, b.id);
});

test('a_request_refused_by_validation_is_not_stored', async () => {
	const k = uniq('idem-');
	const email = uniqEmail('val');
	expectError(await post({ name: 'V', email, phone: 'nope' }, k), 400,
	    'invalid_request_error', 'phone_invalid', 'phone');
	// the corrected request with the same key runs
	const res = await post({ name: 'V', email }, k);
	expectOk(res);
	assert.equal(replayed(res), null);
	assert.equal(await countEmail(email), 1);
});

test('key_of_255_characters_is_accepted', async () => {
	const k = uniq('k').padEnd(255, 'x');
	expectOk(await post({ name: 'Long', email: uniqEmail('k255') }, k));
});

test('key_of_256_characters_answers_400_parameter_invalid', async () => {
	const email = uniqEmail('k256');
	expectError(await post({ name: 'Long', email }, 'k'.repeat(256)), 400,
	    'invalid_request_error', 'parameter_invalid', 'idempotency_key');
	assert.equal(await countEmail(email), 0);
});

test('update_replay_answers_the_first_response', async () => {
	const c = expectOk(await post({ name: 'U', email: uniqEmail('upd') }));
	const k = uniq('idem-');
	const req = { method: 'PUT', key: acct.testKey, json: { name: 'U2' },
	    headers: { 'Idempotency-Key': k } };
	const first = await call(`/v1/customers/${c.id}`, req);
	expectOk(first);
	const second = await call(`/v1/customers/${c.id}`, req);
	assert.equal(second.status, 200);
	assert.equal(second.text, first.text);
	assert.equal(replayed(second), 'true');
});

test('delete_replay_answers_200_again_not_404', async () => {
	const c = expectOk(await post({ name: 'D', email: uniqEmail('del') }));
	const k = uniq('idem-');
	const req = { method: 'DELETE', key: acct.testKey,
	    headers: { 'Idempotency-Key': k } };
	const first = await call(`/v1/customers/${c.id}`, req);
	assert.deepEqual(expectOk(first), { id: c.id, object: 'customer', deleted: true });
	const second = await call(`/v1/customers/${c.id}`, req);
	assert.equal(second.status, 200);
	assert.equal(second.text, first.text);
	assert.equal(replayed(second), 'true');
	// without the key the second delete is a 404
	expectError(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }),
	    404, 'invalid_request_error', 'resource_missing', 'id');
});

test('idempotency_key_on_get_is_ignored', async () => {
	const k = uniq('idem-');
	const a = await call('/v1/customers?limit=1', { key: acct.testKey,
	    headers: { 'Idempotency-Key': k } });
	expectOk(a);
	assert.equal(replayed(a), null);
	const b = await call('/v1/customers?limit=2', { key: acct.testKey,
	    headers: { 'Idempotency-Key': k } });
	expectOk(b);
	assert.equal(replayed(b), null);
});

test('twenty_concurrent_requests_with_one_key_create_exactly_one_customer', async () => {
	const k = uniq('idem-');
	const body = { name: 'Concurrent', email: uniqEmail('conc') };
	const answers = await Promise.all(Array.from({ length: 20 },
	    () => post(body, k)));
	const ok = answers.filter((r) => r.status === 200);
	const fresh = ok.filter((r) => replayed(r) === null);
	assert.equal(fresh.length, 1,
	    `exactly one answer is not a replay (statuses ${answers.map((r) => r.status)})`);
	for (const r of ok)
		assert.equal(r.text, fresh[0].text, 'every 200 is the same customer');
	for (const r of answers.filter((r) => r.status !== 200)) {
		const e = expectError(r, 409, 'idempotency_error',
		    'idempotency_key_in_use', null);
		assert.ok(e);
		assert.equal(r.headers.get('stripe-should-retry'), 'true',
		    'contract.md: an in-progress 409 says Stripe-Should-Retry: true');
	}
	assert.equal(await countEmail(body.email), 1);
	// and a later retry is a plain replay
	const later = await post(body, k);
	assert.equal(later.text, fresh[0].text);
	assert.equal(replayed(later), 'true');
});
