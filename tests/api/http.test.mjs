// The HTTP layer: routes, methods, content types, body limits, malformed
// and invalid UTF-8 bodies, Request-Id, Stripe-Should-Retry, /healthz
// (API.md "Requests", "Errors", "Operations"; contract.md table). Each
// hostile input is its own test and reads the state back.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

const LIMIT = Number(process.env.PESASWAP_BODY_LIMIT || 65536);

let acct;
let cust;		// one customer for item routes
before(async () => {
	acct = await newAccount('api-http');
	cust = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Http', email: uniqEmail('http') } }));
});

async function countEmail(email) {
	return expectOk(await call('/v1/customers?email=' +
	    encodeURIComponent(email), { key: acct.testKey })).data.length;
}
const rawCreate = (body, contentType) => call('/v1/customers', {
	method: 'POST', key: acct.testKey, body,
	headers: contentType === undefined ? {} : { 'Content-Type': contentType },
});
const allowSet = (res) => new Set((res.headers.get('allow') ?? '')
    .split(',').map((s) => s.trim()).filter(Boolean));

// ---- routes and methods

test('unknown_route_answers_404_json_unrecognized_request_url', async () => {
	const e = expectError(await call('/v1/x', { key: acct.testKey }), 404,
	    'invalid_request_error', 'resource_missing', null);
	assert.equal(e.message, 'Unrecognized request URL (GET: /v1/x).');
});

test('unknown_route_message_names_the_method', async () => {
	const e = expectError(await call('/v1/nothing/here', { method: 'POST',
	    key: acct.testKey, json: {} }), 404, 'invalid_request_error',
	    'resource_missing', null);
	assert.equal(e.message, 'Unrecognized request URL (POST: /v1/nothing/here).');
});

for (const method of ['PATCH', 'DELETE', 'PUT']) {
	test(`${method}_on_the_collection_answers_405_with_allow`, async () => {
		const res = await call('/v1/customers', { method, key: acct.testKey });
		expectError(res, 405, 'invalid_request_error', 'method_not_allowed', null);
		assert.deepEqual(allowSet(res), new Set(['GET', 'POST']));
	});
}

test('PATCH_on_a_customer_answers_405_with_allow', async () => {
	const res = await call(`/v1/customers/${cust.id}`, { method: 'PATCH',
	    key: acct.testKey, json: { name: 'Patched' } });
	expectError(res, 405, 'invalid_request_error', 'method_not_allowed', null);
	assert.deepEqual(allowSet(res), new Set(['GET', 'POST', 'PUT', 'DELETE']));
	assert.equal(expectOk(await call(`/v1/customers/${cust.id}`,
	    { key: acct.testKey })).name, 'Http');
});

test('POST_on_search_answers_405_with_allow_GET', async () => {
	const res = await call('/v1/customers/search', { method: 'POST',
	    key: acct.testKey, json: { query: "name~'abc'" } });
	expectError(res, 405, 'invalid_request_error', 'method_not_allowed', null);
	assert.deepEqual(allowSet(res), new Set(['GET']));
});

// ---- headers on every answer

test('every_answer_carries_a_request_id_of_req_and_16_characters', async () => {
	const answers = [
		await call('/v1/customers', { key: acct.testKey }),
		await call('/v1/customers'),
		await call('/v1/x', { key: acct.testKey }),
		await call('/v1/customers', { method: 'PATCH', key: acct.testKey }),
		await call(`/v1/customers/${cust.id}`, { key: acct.testKey }),
		await call('/healthz'),
	];
	const seen = new Set();
	for (const r of answers) {
		const rid = r.headers.get('request-id');
		assert.match(rid, /^req_[0-9A-Za-z]{16}$/);
		seen.add(rid);
	}
	assert.equal(seen.size, answers.length, 'request ids are distinct');
});

test('content_type_is_application_json_charset_utf8', async () => {
	for (const r of [await call('/v1/customers', { key: acct.testKey }),
	    await call('/v1/customers')])
		assert.match(r.headers.get('content-type'),
		    /^application\/json; ?charset=utf-8$/i);
});

test('every_4xx_says_stripe_should_retry_false', async () => {
	const answers = [
		await call('/v1/customers'),					// 401
		await call('/v1/customers', { key: 'sk_test_nope' }),		// 401
		await call('/v1/customers?limit=0', { key: acct.testKey }),	// 400
		await call('/v1/x', { key: acct.testKey }),			// 404
		await call('/v1/customers', { method: 'PATCH', key: acct.testKey }), // 405
		await rawCreate('x', 'text/plain'),				// 415
		await call('/v1/customers', { method: 'POST', key: acct.testKey,
		    json: { name: 'Dup', email: cust.email } }),		// 409
	];
	assert.deepEqual(answers.map((r) => r.status),
	    [401, 401, 400, 404, 405, 415, 409]);
	for (const r of answers)
		assert.equal(r.headers.get('stripe-should-retry'), 'false');
});

// ---- /healthz

test('healthz_answers_ok_without_a_key', async () => {
	const r = await call('/healthz');
	assert.deepEqual(expectOk(r), { status: 'ok' });
});

// ---- content types

test('text_plain_body_answers_415_and_writes_nothing', async () => {
	const email = uniqEmail('t415');
	expectError(await rawCreate(JSON.stringify({ name: 'T', email }), 'text/plain'),
	    415, 'invalid_request_error', 'content_type_unsupported', null);
	assert.equal(await countEmail(email), 0);
});

test('body_without_content_type_answers_415', async () => {
	const email = uniqEmail('n415');
	expectError(await rawCreate(Buffer.from(JSON.stringify({ name: 'T', email }))),
	    415, 'invalid_request_error', 'content_type_unsupported', null);
	assert.equal(await countEmail(email), 0);
});

test('multipart_body_answers_415', async () => {
	const email = uniqEmail('m415');
	const b = '----x';
	const body = `--${b}\r\nContent-Disposition: form-data; name="name"\r\n\r\nT\r\n` +
	    `--${b}\r\nContent-Disposition: form-data; name="email"\r\n\r\n${email}\r\n--${b}--\r\n`;
	expectError(await rawCreate(body, `multipart/form-data; boundary=${b}`),
	    415, 'invalid_request_error', 'content_type_unsupported', null);
	assert.equal(await countEmail(email), 0);
});

test('xml_body_answers_415', async () => {
	expectError(await rawCreate('<customer/>', 'application/xml'),
	    415, 'invalid_request_error', 'content_type_unsupported', null);
});

test('empty_body_with_any_content_type_is_not_a_415', async () => {
	expectError(await rawCreate('', 'text/plain'), 400,
	    'invalid_request_error', 'parameter_missing');
	expectOk(await call('/v1/customers', { key: acct.testKey,
	    headers: { 'Content-Type': 'image/png' } }));
});

// ---- body size

// A JSON create body of exactly "size" bytes, valid in every respect but
// its size: metadata values of 4-byte characters fill it.
function bodyOfSize(size, email) {
	const obj = { name: 'Big Body', email, metadata: {} };
	const len = () => Buffer.byteLength(JSON.stringify(obj));
	const full = '😀'.repeat(500);			// 2000 bytes
	for (let i = 0; i < 50; i++) {
		const k = `k${String(i).padStart(2, '0')}`;
		obj.metadata[k] = '';
		const room = size - len();
		if (room <= 0)
			throw new Error('cannot reach the size');
		if (room >= 2000)
			obj.metadata[k] = full;
		else {
			// room bytes as x 4-byte characters and y ASCII ones
			const x = Math.floor(room / 4);
			obj.metadata[k] = '😀'.repeat(x) + 'a'.repeat(room - 4 * x);
			break;
		}
	}
	const s = JSON.stringify(obj);
	assert.equal(Buffer.byteLength(s), size);
	return s;
}

test('body_of_exactly_the_limit_is_accepted', async () => {
	const email = uniqEmail('atlimit');
	const c = expectOk(await rawCreate(bodyOfSize(LIMIT, email), 'application/json'));
	assert.equal(c.email, email);
	assert.equal(Object.keys(c.metadata).length > 30, true);
});

test('body_one_byte_over_the_limit_answers_413_and_writes_nothing', async () => {
	const email = uniqEmail('over');
	expectError(await rawCreate(bodyOfSize(LIMIT + 1, email), 'application/json'),
	    413, 'invalid_request_error', 'body_too_large', null);
	assert.equal(await countEmail(email), 0);
});

test('form_body_over_the_limit_answers_413_and_writes_nothing', async () => {
	const email = uniqEmail('overform');
	let form = `name=Big&email=${encodeURIComponent(email)}&metadata[pad]=`;
	form += 'a'.repeat(LIMIT + 1 - form.length);
	assert.equal(form.length, LIMIT + 1);
	expectError(await rawCreate(form, 'application/x-www-form-urlencoded'),
	    413, 'invalid_request_error', 'body_too_large', null);
	assert.equal(await countEmail(email), 0);
});

// ---- malformed bodies

for (const [label, body] of [
	['truncated', '{"name": "x",'],
	['unquoted_keys', '{name: "x", email: "x@example.com"}'],
	['trailing_garbage', '{"name": "x", "email": "x@example.com"} x'],
	['single_quotes', "{'name': 'x'}"],
	['array', '[{"name": "x", "email": "x@example.com"}]'],
	['string', '"name"'],
	['number', '42'],
	['null', 'null'],
]) {
	test(`json_body_${label}_answers_400_body_invalid`, async () => {
		expectError(await rawCreate(body, 'application/json'), 400,
		    'invalid_request_error', 'body_invalid', null);
	});
}

for (const [label, bytes] of [
	['lone_ff', [0xff]],
	['truncated_sequence', [0xc3]],
	['overlong_slash', [0xc0, 0xaf]],
	['surrogate', [0xed, 0xa0, 0x80]],
	['above_u10ffff', [0xf4, 0x90, 0x80, 0x80]],
]) {
	test(`invalid_utf8_${label}_in_json_body_answers_400_body_invalid`, async () => {
		const email = uniqEmail('u8');
		const body = Buffer.concat([Buffer.from('{"name": "Jo'),
		    Buffer.from(bytes), Buffer.from(`hn", "email": "${email}"}`)]);
		expectError(await rawCreate(body, 'application/json'), 400,
		    'invalid_request_error', 'body_invalid', null);
		assert.equal(await countEmail(email), 0);
	});
}

test('invalid_utf8_raw_byte_in_form_body_answers_400_body_invalid', async () => {
	const email = uniqEmail('u8f');
	const body = Buffer.concat([Buffer.from('name=Jo'), Buffer.from([0xff]),
	    Buffer.from(`hn&email=${encodeURIComponent(email)}`)]);
	expectError(await rawCreate(body, 'application/x-www-form-urlencoded'), 400,
	    'invalid_request_error', 'body_invalid', null);
	assert.equal(await countEmail(email), 0);
});

test('invalid_utf8_percent_encoded_in_form_body_answers_400_body_invalid', async () => {
	const email = uniqEmail('u8p');
	expectError(await rawCreate(`name=Jo%FFhn&email=${encodeURIComponent(email)}`,
	    'application/x-www-form-urlencoded'), 400,
	    'invalid_request_error', 'body_invalid', null);
	assert.equal(await countEmail(email), 0);
});

for (const [label, form] of [
	['bad_percent_escape', 'name=Jo%G1hn'],
	['truncated_percent_escape', 'name=John%2'],
]) {
	test(`form_body_with_${label}_answers_400_body_invalid`, async () => {
		const email = uniqEmail('bf');
		expectError(await rawCreate(`${form}&email=${encodeURIComponent(email)}`,
		    'application/x-www-form-urlencoded'), 400,
		    'invalid_request_error', 'body_invalid', null);
		assert.equal(await countEmail(email), 0);
	});
}

test('malformed_update_body_changes_nothing', async () => {
	expectError(await call(`/v1/customers/${cust.id}`, { method: 'PUT',
	    key: acct.testKey, body: '{"name": ', headers: {
		'Content-Type': 'application/json' } }), 400,
	    'invalid_request_error', 'body_invalid', null);
	assert.deepEqual(expectOk(await call(`/v1/customers/${cust.id}`,
	    { key: acct.testKey })), cust);
});
