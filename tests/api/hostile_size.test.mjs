// Too much of something (issue 7 "Hostile input"): megabyte header lines
// and request lines, thousands of parameters (form, JSON, query) and
// deeply nested JSON and brackets. nginx refuses what is too big to read
// (431, 414), in the API's JSON; the workers refuse what is too many or
// too deep (400) before any handler runs, quickly, and nothing is
// written. tests/api/http.test.mjs has the body size limit (413).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';
import { unchanged, rawCall } from '../lib/hostile.mjs';

const QUICK_MS = 2000;

let acct;
before(async () => {
	acct = await newAccount('api-hostile-size');
	expectOk(await call('/v1/customers', { method: 'POST', key: acct.testKey,
	    json: { name: 'Size', email: uniqEmail('size') } }));
});

const key = () => acct.testKey;
const auth = () => ['Authorization', `Bearer ${key()}`];
const MB = 1024 * 1024;

// Asserts one of nginx's own refusals: status, JSON error, Request-Id.
function nginxRefusal(r, status, code) {
	assert.ok(r, 'no answer');
	assert.equal(r.status, status, r.body.toString().slice(0, 300));
	assert.match(r.header('content-type'), /^application\/json/);
	assert.equal(r.json.error.type, 'invalid_request_error');
	assert.equal(r.json.error.code, code);
	assert.match(r.header('request-id'), /^req_[0-9a-f]{16}$/);
	assert.equal(r.json.error.request_id, r.header('request-id'));
	assert.equal(r.header('stripe-should-retry'), 'false');
}

// Times "fn" and asserts it took less than QUICK_MS.
async function quickly(fn) {
	const t0 = Date.now();
	const out = await fn();
	assert.ok(Date.now() - t0 < QUICK_MS, `took ${Date.now() - t0} ms`);
	return out;
}

// ---- headers and request lines

test('a_1_mb_header_line_answers_431_json', async () => {
	await unchanged(key(), async () => nginxRefusal(await rawCall('GET',
	    '/v1/customers', [auth(), ['X-Padding', 'a'.repeat(MB)]]),
	    431, 'headers_too_large'));
});

test('a_1_mb_authorization_header_answers_431_json', async () => {
	nginxRefusal(await rawCall('GET', '/v1/customers',
	    [['Authorization', `Bearer sk_test_${'a'.repeat(MB)}`]]),
	    431, 'headers_too_large');
});

test('a_1_mb_idempotency_key_on_a_create_answers_431_and_writes_nothing', async () => {
	await unchanged(key(), async () => nginxRefusal(await rawCall('POST',
	    '/v1/customers', [auth(), ['Content-Type', 'application/json'],
	    ['Idempotency-Key', 'k'.repeat(MB)]],
	    JSON.stringify({ name: 'Big', email: uniqEmail('bighdr') })),
	    431, 'headers_too_large'));
});

test('a_thousand_headers_of_1_kb_answer_431_json', async () => {
	const many = Array.from({ length: 1000 },
	    (_, i) => [`X-H${i}`, 'v'.repeat(1024)]);
	nginxRefusal(await rawCall('GET', '/v1/customers', [auth(), ...many]),
	    431, 'headers_too_large');
});

test('a_1_mb_request_line_answers_414_json', async () => {
	nginxRefusal(await rawCall('GET', `/v1/customers?email=${'a'.repeat(MB)}`,
	    [auth()]), 414, 'uri_too_long');
});

test('an_idempotency_key_over_255_characters_answers_400_and_writes_nothing', async () => {
	await unchanged(key(), async () => expectError(await call('/v1/customers',
	    { method: 'POST', key: key(), headers: { 'Idempotency-Key': 'k'.repeat(256) },
	    json: { name: 'K', email: uniqEmail('k256') } }), 400,
	    'invalid_request_error', 'parameter_invalid', 'idempotency_key'));
});

// ---- thousands of parameters

// (Sizes stay under the 64 KiB body limit, so the count is what is refused.)
test('five_thousand_form_pairs_answer_400_body_invalid', async () => {
	const form = `name=Many&email=${encodeURIComponent(uniqEmail('many'))}&` +
	    Array.from({ length: 5000 }, (_, i) => `k${i}=v`).join('&');
	await unchanged(key(), async () => expectError(await quickly(() =>
	    call('/v1/customers', { method: 'POST', key: key(), form })), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('five_thousand_empty_form_pairs_answer_400_body_invalid', async () => {
	const form = 'a=&'.repeat(5000) + 'name=X';
	await unchanged(key(), async () => expectError(await quickly(() =>
	    call('/v1/customers', { method: 'POST', key: key(), form })), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('two_thousand_query_pairs_answer_400_parameter_invalid', async () => {
	// short pairs, so the request line fits nginx's 8 KB buffer
	const query = 'a=&'.repeat(2000) + 'limit=1';
	expectError(await quickly(() => call(`/v1/customers?${query}`,
	    { key: key() })), 400, 'invalid_request_error', 'parameter_invalid',
	    'query');
});

test('four_thousand_json_keys_answer_400_parameter_unknown', async () => {
	const body = { name: 'Many', email: uniqEmail('jkeys') };
	for (let i = 0; i < 4000; i++)
		body[`k${i}`] = 'v';
	await unchanged(key(), async () => expectError(await quickly(() =>
	    call('/v1/customers', { method: 'POST', key: key(), json: body })),
	    400, 'invalid_request_error', 'parameter_unknown'));
});

test('three_thousand_metadata_keys_in_json_answer_400_metadata_invalid', async () => {
	const metadata = {};
	for (let i = 0; i < 3000; i++)
		metadata[`k${i}`] = 'v';
	await unchanged(key(), async () => expectError(await quickly(() =>
	    call('/v1/customers', { method: 'POST', key: key(),
	    json: { name: 'Meta', email: uniqEmail('jmeta'), metadata } })),
	    400, 'invalid_request_error', 'metadata_invalid', 'metadata'));
});

test('fifty_one_metadata_keys_in_a_form_answer_400_metadata_invalid', async () => {
	const form = `name=Meta&email=${encodeURIComponent(uniqEmail('fmeta'))}&` +
	    Array.from({ length: 51 }, (_, i) => `metadata[k${i}]=v`).join('&');
	await unchanged(key(), async () => expectError(await call('/v1/customers',
	    { method: 'POST', key: key(), form }), 400, 'invalid_request_error',
	    'metadata_invalid', 'metadata'));
});

test('a_json_array_of_ten_thousand_items_answers_400_and_writes_nothing', async () => {
	await unchanged(key(), async () => {
		const r = await quickly(() => call('/v1/customers', { method: 'POST',
		    key: key(), json: { name: 'Arr', email: uniqEmail('arr'),
		    metadata: { list: Array(10000).fill('x') } } }));
		expectError(r, 400, 'invalid_request_error', 'metadata_invalid',
		    'metadata');
	});
});

// ---- depth

test('json_nested_ten_thousand_levels_deep_answers_400_body_invalid', async () => {
	const deep = '{"a":'.repeat(10000) + '1' + '}'.repeat(10000);
	await unchanged(key(), async () => expectError(await quickly(() =>
	    call('/v1/customers', { method: 'POST', key: key(), json: deep })),
	    400, 'invalid_request_error', 'body_invalid', null));
});

test('json_arrays_nested_ten_thousand_levels_in_metadata_answer_400', async () => {
	const deep = `{"name":"D","email":"${uniqEmail('deep')}","metadata":{"k":` +
	    '['.repeat(10000) + ']'.repeat(10000) + '}}';
	await unchanged(key(), async () => expectError(await quickly(() =>
	    call('/v1/customers', { method: 'POST', key: key(), json: deep })),
	    400, 'invalid_request_error', 'body_invalid', null));
});

test('json_nested_past_the_depth_limit_by_one_answers_400', async () => {
	// 8 levels (params.h PARAMS_MAX_DEPTH) is the limit.
	const n = 9;
	const deep = `{"name":"D","email":"${uniqEmail('d9')}","metadata":` +
	    '{"a":'.repeat(n - 1) + '"v"' + '}'.repeat(n);
	await unchanged(key(), async () => expectError(await call('/v1/customers',
	    { method: 'POST', key: key(), json: deep }), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('form_brackets_nested_ten_thousand_deep_answer_400_body_invalid', async () => {
	const form = `name=D&email=${encodeURIComponent(uniqEmail('fdeep'))}&metadata` +
	    '[a]'.repeat(10000) + '=v';
	await unchanged(key(), async () => expectError(await quickly(() =>
	    call('/v1/customers', { method: 'POST', key: key(), form })), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('unclosed_brackets_ten_thousand_deep_answer_400_body_invalid', async () => {
	const form = 'name=D&metadata' + '['.repeat(10000) + '=v';
	await unchanged(key(), async () => expectError(await quickly(() =>
	    call('/v1/customers', { method: 'POST', key: key(), form })), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('the_workers_still_answer_after_the_floods', async () => {
	const r = expectOk(await call('/v1/customers', { key: key() }));
	assert.equal(r.data.length, 1);
	assert.deepEqual(expectOk(await call('/healthz')), { status: 'ok' });
});
