// API.md "Operations": a rate limit per key (100 requests/s, bursts of
// 200), answered 429 rate_limit_error with Retry-After; a flood from one
// key does not starve another.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk } from '../lib/openapi.mjs';

let A, B;

before(async () => {
	A = await newAccount('api-rate-a');
	B = await newAccount('api-rate-b');
});

// Sends "n" list requests with "key" at once; their answers.
async function flood(key, n) {
	return Promise.all(Array.from({ length: n }, () =>
	    call('/v1/customers?limit=1', { key, retry429: false })));
}

test('a_flood_from_one_key_is_answered_429_with_retry_after', async () => {
	const answers = await flood(A.testKey, 400);
	const limited = answers.filter((r) => r.status === 429);
	assert.ok(limited.length > 0, 'no 429 in 400 requests at once');
	assert.ok(answers.filter((r) => r.status === 200).length >= 200,
	    'the burst of 200 is let through');
	for (const r of limited) {
		assert.equal(r.json.error.type, 'rate_limit_error');
		assert.equal(r.json.error.code, 'rate_limit');
		assert.ok(Number(r.headers.get('retry-after')) >= 1);
		// Stripe's clients retry only what is marked so.
		assert.equal(r.headers.get('stripe-should-retry'), 'true');
	}
});

test('a_flood_from_one_key_does_not_starve_another', async () => {
	const [flooded, other] = await Promise.all([flood(A.testKey, 400),
	    flood(B.testKey, 50)]);
	assert.ok(flooded.some((r) => r.status === 429));
	assert.ok(other.every((r) => r.status === 200),
	    'the other key was limited too');
});

test('the_key_may_call_again_after_waiting', async () => {
	await flood(A.testKey, 300);
	await new Promise((resolve) => setTimeout(resolve, 2500));
	expectOk(await call('/v1/customers?limit=1', { key: A.testKey }));
});

test('a_flood_through_a_path_nginx_decodes_out_of_v1_is_limited_too', async () => {
	// nginx decodes /v1/customers/..%2f..%2fx to /x (its catch-all
	// location) while the worker answers the customers route: the key
	// is counted there as well (nginx/pesaswap.conf.in).
	const answers = await Promise.all(Array.from({ length: 400 }, () =>
	    call('/v1/customers/..%2f..%2fx', { key: B.testKey, retry429: false })));
	assert.ok(answers.some((r) => r.status === 429), 'no 429 in 400 requests');
	for (const r of answers.filter((a) => a.status !== 429))
		assert.equal(r.status, 404);
});
