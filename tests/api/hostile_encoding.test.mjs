// Bytes that are not text (issue 7 "Hostile input"): NUL (raw, \u0000 in
// JSON, %00 in forms, queries and paths), overlong and otherwise invalid
// UTF-8, control characters in names, and header injection through every
// value an answer echoes. Refused with the documented error, never stored;
// every answer is valid UTF-8 JSON and carries no header a client wrote.
// tests/api/http.test.mjs has the invalid UTF-8 cases of JSON bodies
// (lone FF, C0 AF, surrogates, above U+10FFFF) and of form bodies.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';
import { unchanged, rawCall } from '../lib/hostile.mjs';

let acct, cust;
before(async () => {
	acct = await newAccount('api-hostile-encoding');
	cust = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Enc', email: uniqEmail('enc') } }));
});

const key = () => acct.testKey;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const jsonCreate = (body) => call('/v1/customers', { method: 'POST',
    key: key(), body, headers: { 'Content-Type': 'application/json' } });
const formCreate = (body) => call('/v1/customers', { method: 'POST',
    key: key(), body, headers: {
	'Content-Type': 'application/x-www-form-urlencoded' } });
const auth = () => ['Authorization', `Bearer ${key()}`];

async function customerIntact() {
	assert.deepEqual(expectOk(await call(`/v1/customers/${cust.id}`,
	    { key: key() })), cust);
}

// ---- NUL

test('nul_escape_in_a_json_value_answers_400_body_invalid', async () => {
	await unchanged(key(), async () => expectError(await jsonCreate(
	    `{"name": "Jo\\u0000hn", "email": "${uniqEmail('nul')}"}`), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('nul_escape_in_a_json_key_does_not_pass_for_the_shorter_key', async () => {
	// json-c keeps keys as C strings: "name\u0000x" would read as
	// "name" and set it.
	await unchanged(key(), async () => expectError(await jsonCreate(
	    `{"name\\u0000evil": "Jo", "email": "${uniqEmail('nulk')}"}`), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('nul_escape_in_a_metadata_value_answers_400_and_updates_nothing', async () => {
	await unchanged(key(), async () => expectError(await call(
	    `/v1/customers/${cust.id}`, { method: 'POST', key: key(),
	    json: '{"metadata": {"k": "a\\u0000b"}}' }), 400,
	    'invalid_request_error', 'body_invalid', null));
	await customerIntact();
});

test('escaped_backslash_before_u0000_is_text_not_a_nul', async () => {
	// "\\u0000" is a backslash and five characters, which is fine.
	const c = expectOk(await jsonCreate(
	    `{"name": "Back\\\\u0000slash", "email": "${uniqEmail('bs')}"}`));
	assert.equal(c.name, 'Back\\u0000slash');
});

test('raw_nul_byte_in_a_json_body_answers_400_body_invalid', async () => {
	const body = Buffer.concat([Buffer.from('{"name": "Jo'), Buffer.from([0]),
	    Buffer.from(`hn", "email": "${uniqEmail('rawnul')}"}`)]);
	await unchanged(key(), async () => expectError(await jsonCreate(body),
	    400, 'invalid_request_error', 'body_invalid', null));
});

for (const [label, form] of [
	['value', (e) => `name=Jo%00hn&email=${encodeURIComponent(e)}`],
	['name', (e) => `na%00me=John&email=${encodeURIComponent(e)}`],
	['metadata_key', (e) => `name=J&email=${encodeURIComponent(e)}&metadata[a%00b]=1`],
]) {
	test(`percent_00_in_a_form_${label}_answers_400_body_invalid`, async () => {
		await unchanged(key(), async () => expectError(await formCreate(
		    form(uniqEmail('f00'))), 400, 'invalid_request_error',
		    'body_invalid', null));
	});
}

test('percent_00_in_a_query_value_answers_400_naming_the_parameter', async () => {
	await unchanged(key(), async () => {
		expectError(await call(`/v1/customers?email=${encodeURIComponent(cust.email)}%00`,
		    { key: key() }), 400, 'invalid_request_error',
		    'parameter_invalid', 'email');
		expectError(await call('/v1/customers?limit=1%00', { key: key() }),
		    400, 'invalid_request_error', 'parameter_invalid', 'limit');
	});
});

test('percent_00_in_a_path_answers_400_json_from_nginx', async () => {
	await unchanged(key(), async () => {
		const r = await rawCall('GET', `/v1/customers/${cust.id}%00`, [auth()]);
		assert.equal(r.status, 400);
		assert.equal(r.json.error.type, 'invalid_request_error');
		assert.match(r.header('request-id'), /^req_[0-9a-f]{16}$/);
		assert.equal(r.json.error.request_id, r.header('request-id'));
	});
});

// ---- overlong and invalid UTF-8

for (const [label, bytes] of [
	['3_byte_overlong_slash', [0xe0, 0x80, 0xaf]],
	['4_byte_overlong_slash', [0xf0, 0x80, 0x80, 0xaf]],
	['c1_overlong', [0xc1, 0xbf]],
	['overlong_nul', [0xc0, 0x80]],
	['5_byte_sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
	['lone_continuation', [0x80]],
]) {
	test(`${label}_in_a_json_name_answers_400_body_invalid`, async () => {
		const body = Buffer.concat([Buffer.from('{"name": "a'),
		    Buffer.from(bytes), Buffer.from(`b", "email": "${uniqEmail('ol')}"}`)]);
		await unchanged(key(), async () => expectError(await jsonCreate(body),
		    400, 'invalid_request_error', 'body_invalid', null));
	});

	const pct = bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
	test(`${label}_percent_encoded_in_a_form_answers_400_body_invalid`, async () => {
		await unchanged(key(), async () => expectError(await formCreate(
		    `name=a${pct}b&email=${encodeURIComponent(uniqEmail('olf'))}`),
		    400, 'invalid_request_error', 'body_invalid', null));
	});

	test(`${label}_percent_encoded_in_a_query_answers_400_naming_the_parameter`, async () => {
		await unchanged(key(), async () => expectError(await call(
		    `/v1/customers?email=a${pct}b%40example.com`, { key: key() }),
		    400, 'invalid_request_error', 'parameter_invalid', 'email'));
	});
}

// ---- control characters in names

for (const [label, ch] of [
	['tab', '\t'], ['newline', '\n'], ['carriage_return', '\r'],
	['bell', '\u0007'], ['escape', '\u001b'], ['delete', '\u007f'],
	['c1_next_line', '\u0085'], ['c1_csi', '\u009b'],
]) {
	test(`${label}_in_a_customer_name_answers_400_on_create_and_update`, async () => {
		await unchanged(key(), async () => {
			expectError(await call('/v1/customers', { method: 'POST',
			    key: key(), json: { name: `Jo${ch}hn`,
			    email: uniqEmail('ctl') } }), 400,
			    'invalid_request_error', 'parameter_invalid', 'name');
			expectError(await call(`/v1/customers/${cust.id}`, {
			    method: 'PUT', key: key(), form: { name: `Jo${ch}hn` } }),
			    400, 'invalid_request_error', 'parameter_invalid', 'name');
		});
		await customerIntact();
	});
}

test('ansi_escape_sequence_in_an_email_answers_400_email_invalid', async () => {
	await unchanged(key(), async () => expectError(await call('/v1/customers',
	    { method: 'POST', key: key(), json: { name: 'Ansi',
	    email: 'a\u001b[31m@example.com' } }), 400, 'invalid_request_error',
	    'email_invalid', 'email'));
});

// ---- every answer is valid UTF-8, whatever the request held

test('raw_utf8_id_cut_mid_character_still_answers_valid_utf8', async () => {
	// The error quotes at most 40 bytes of the id: 'a' and 30 'é' are
	// cut inside the 20th 'é'.
	const id = 'a' + 'é'.repeat(30);
	const r = await rawCall('GET', `/v1/customers/${Buffer.from(id)
	    .toString('latin1')}`, [auth()]);
	assert.equal(r.status, 404);
	const text = strictUtf8.decode(r.body);
	assert.equal(JSON.parse(text).error.code, 'resource_missing');
});

test('raw_invalid_bytes_in_a_path_answer_valid_utf8', async () => {
	for (const path of ['/v1/customers/\xff\xfe', '/v1/\xc0\xaf',
	    '/v1/customers/\xe9t\xe9']) {
		const r = await rawCall('GET', path, [auth()]);
		assert.equal(r.status, 404, path);
		strictUtf8.decode(r.body);
		assert.equal(r.json.error.code, 'resource_missing');
	}
});

test('long_multibyte_unknown_parameter_answers_valid_utf8_in_message_and_param', async () => {
	// The message (512 bytes) and param (256) are cut: never mid-character.
	const name = '€'.repeat(300);
	await unchanged(key(), async () => {
		const r = await call('/v1/customers', { method: 'POST', key: key(),
		    form: `name=X&email=${encodeURIComponent(uniqEmail('long'))}` +
		    `&${encodeURIComponent(name)}=1` });
		const e = expectError(r, 400, 'invalid_request_error',
		    'parameter_unknown');
		assert.ok(!e.message.includes('\ufffd') && !e.param.includes('\ufffd'),
		    e.message);
		assert.ok(e.param.startsWith('€€€'));
	});
});

// ---- header injection: nothing a client sends becomes a header

// Headers an answer may carry; anything else came from the request.
const ALLOWED = new Set(['server', 'date', 'content-type', 'content-length',
    'connection', 'cache-control', 'request-id', 'stripe-should-retry',
    'x-content-type-options', 'referrer-policy', 'x-frame-options',
    'content-security-policy', 'strict-transport-security', 'retry-after',
    'allow', 'idempotent-replayed', 'keep-alive']);
function noInjectedHeader(r) {
	for (const [name] of r.headers)
		assert.ok(ALLOWED.has(name), `unexpected header ${name}`);
	assert.match(r.header('request-id'), /^req_[0-9A-Za-z]{16}$/);
}

test('crlf_in_a_path_id_is_echoed_only_inside_the_json_body', async () => {
	const r = await rawCall('GET',
	    '/v1/customers/abc%0D%0ASet-Cookie:%20pwn=1%0D%0AX-Injected:%201',
	    [auth()]);
	assert.equal(r.status, 404);
	noInjectedHeader(r);
	assert.match(r.json.error.message, /abc/);
});

test('crlf_in_an_unknown_parameter_name_is_echoed_only_inside_the_json_body', async () => {
	await unchanged(key(), async () => {
		const r = await rawCall('POST', '/v1/customers', [auth(),
		    ['Content-Type', 'application/x-www-form-urlencoded']],
		    'name=X&email=x%40example.com&a%0D%0AX-Injected%3A%201=1');
		assert.equal(r.status, 400);
		noInjectedHeader(r);
		assert.equal(r.json.error.code, 'parameter_unknown');
		assert.equal(r.json.error.param, 'a\r\nX-Injected: 1');
	});
});

test('crlf_in_a_query_value_is_never_a_header', async () => {
	const r = await rawCall('GET',
	    '/v1/customers?limit=1%0D%0AX-Injected:%201', [auth()]);
	assert.equal(r.status, 400);
	noInjectedHeader(r);
});

test('crlf_in_a_405_method_path_is_never_a_header', async () => {
	const r = await rawCall('PATCH',
	    '/v1/customers%0D%0AX-Injected:%201', [auth()]);
	assert.ok(r.status === 404 || r.status === 405, String(r.status));
	noInjectedHeader(r);
});

for (const [label, name] of [
	['idempotency_key', 'Idempotency-Key'],
	['request_id', 'Request-Id'],
	['x_request_id', 'X-Request-Id'],
	['stripe_version', 'Stripe-Version'],
]) {
	test(`bare_cr_in_the_${label}_header_is_never_echoed_as_a_header`, async () => {
		await unchanged(key(), async () => {
			const r = await rawCall('POST', '/v1/customers', [auth(),
			    ['Content-Type', 'application/json'],
			    [name, 'abc\rX-Injected: 1']],
			    JSON.stringify({ name: 'Hdr', email: uniqEmail('hdr') }));
			// nginx refuses the header line, in the API's JSON
			assert.equal(r.status, 400);
			assert.equal(r.json.error.code, 'request_malformed');
			noInjectedHeader(r);
		});
	});
}

test('a_request_id_sent_by_the_client_is_not_the_answers_request_id', async () => {
	const r = await call('/v1/customers', { key: key(), headers: {
		'Request-Id': 'req_AAAAAAAAAAAAAAAA', 'X-Request-Id': 'evil' } });
	expectOk(r);
	assert.notEqual(r.headers.get('request-id'), 'req_AAAAAAAAAAAAAAAA');
	assert.equal(r.headers.get('request-id').split(',').length, 1);
});

test('idempotency_key_with_quotes_and_unicode_is_replayed_without_echo', async () => {
	const email = uniqEmail('idemhdr');
	const idem = `"key" ; é ${email}`;
	const send = () => call('/v1/customers', { method: 'POST', key: key(),
	    headers: { 'Idempotency-Key': Buffer.from(idem).toString('latin1') },
	    json: { name: 'Idem', email } });
	const first = expectOk(await send());
	const again = await send();
	assert.deepEqual(expectOk(again), first);
	for (const [, v] of again.headers)
		assert.ok(!v.includes('"key"'), 'the key was echoed');
});
