// Hostile HTTP itself (issue 7 "Hostile input"): path traversal against
// the dashboard, ".." and encoded slashes in ids, bodies on GET and
// DELETE, a Content-Length that lies, smuggling headers, slow clients,
// and request lines nginx cannot read. Raw sockets (tests/lib/hostile.mjs)
// send what fetch() would correct.
//
// Decisions, each tested below:
// - The workers route on the path as the client sent it, not on nginx's
//   decoded and dot-resolved one: /v1/customers/x%2f..%2fcust_B is an id
//   that does not exist (404), never cust_B (fcgi/http.c keep_path).
// - GET and DELETE take their parameters from the query string, as
//   Stripe's clients send them; a body on them is ignored, whatever its
//   type or content, and nothing in it is read or written.
// - nginx cuts off a client that takes over 10 s to send its headers, or
//   pauses over 10 s in its body (client_header_timeout,
//   client_body_timeout in nginx/pesaswap.conf.in).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';
import { unchanged, rawCall, rawExchange, rawRequest, parseResponses }
    from '../lib/hostile.mjs';

const CUT_OFF_MS = 15000;	// nginx's 10 s timeouts, and some slack

let acct, cust, other;
before(async () => {
	acct = await newAccount('api-hostile-protocol');
	cust = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Proto', email: uniqEmail('proto') } }));
	other = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Other', email: uniqEmail('other') } }));
});

const key = () => acct.testKey;
const auth = () => ['Authorization', `Bearer ${key()}`];

async function intact() {
	for (const c of [cust, other])
		assert.deepEqual(expectOk(await call(`/v1/customers/${c.id}`,
		    { key: key() })), c);
}

// ---- path traversal against /dashboard/

// What files next to and above the dashboard directory hold; none may
// ever come back.
const SECRETS_OF_FILES = [/fastcgi_pass/, /root:x:0:0/, /worker_processes/,
    /ssl_certificate/, /BEGIN [A-Z ]*PRIVATE KEY/, /PESASWAP_DB_PASSWORD/];

let dashboardIndex;
async function indexPage() {
	if (dashboardIndex === undefined) {
		const r = await fetch(env.PESASWAP_DASHBOARD_URL);
		assert.equal(r.status, 200);
		dashboardIndex = await r.text();
	}
	return dashboardIndex;
}

for (const [label, path] of [
	['dot_dot', '/dashboard/../pesaswap.conf.in'],
	['dot_dot_twice', '/dashboard/../../README.md'],
	['etc_passwd', '/dashboard/../../../../../../../../etc/passwd'],
	['encoded_dots', '/dashboard/%2e%2e/pesaswap.conf.in'],
	['encoded_dots_to_etc_passwd', '/dashboard/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd'],
	['encoded_slash', '/dashboard/..%2fpesaswap.conf.in'],
	['encoded_slash_upper', '/dashboard/..%2F..%2Fconfigure.ac'],
	['double_encoded', '/dashboard/..%252f..%252fpesaswap.conf.in'],
	['double_encoded_dots', '/dashboard/%252e%252e/pesaswap.conf.in'],
	['backslashes', '/dashboard/..%5c..%5cpesaswap.conf.in'],
	['raw_backslashes', '/dashboard/..\\..\\pesaswap.conf.in'],
	['alias_off_by_slash', '/dashboard../pesaswap.conf.in'],
	['overlong_slash', '/dashboard/..%c0%afpesaswap.conf.in'],
	['double_slash_absolute', '/dashboard//etc/passwd'],
	['nul_suffix', '/dashboard/index.html%00.conf'],
	['var_nginx_conf', '/dashboard/../../../../../../../../tmp/nginx.conf'],
]) {
	test(`dashboard_path_traversal_${label}_serves_no_file_outside_it`, async () => {
		const r = await rawCall('GET', path, []);
		assert.ok(r, 'no answer');
		const body = r.body.toString('latin1');
		for (const re of SECRETS_OF_FILES)
			assert.doesNotMatch(body, re, `${path} leaked a file`);
		// a refusal, or at most the dashboard's own page
		if (r.status === 200)
			assert.equal(r.body.toString('utf8'), await indexPage(), path);
		else
			assert.ok([400, 403, 404].includes(r.status),
			    `${path}: ${r.status}`);
	});
}

// ---- ".." and encoded slashes in ids

for (const [label, path, method] of [
	['dot_dot_encoded_slash_to_healthz', '/v1/customers/..%2f..%2fhealthz', 'GET'],
	['upper_case_escapes_to_healthz', '/v1/customers/%2E%2E%2F%2E%2E%2Fhealthz', 'GET'],
	['encoded_dots_only', '/v1/customers/%2e%2e', 'GET'],
	['double_encoded_to_healthz', '/v1/customers/..%252f..%252fhealthz', 'GET'],
	['payment_to_the_customer_list', '/v1/payments/..%2f..%2fv1%2fcustomers', 'GET'],
	['encoded_slash_in_the_collection', '/v1%2fcustomers', 'GET'],
	['backslash_dot_dot', '/v1/customers/..%5c..%5chealthz', 'GET'],
]) {
	test(`id_with_${label}_answers_404_not_the_target`, async () => {
		await unchanged(key(), async () => {
			const r = await call(path, { method, key: key(), check: false });
			assert.equal(r.status, 404, `${path}: ${r.text}`);
			assert.equal(r.json.error.code, 'resource_missing');
			assert.ok(!('status' in r.json) && !('data' in r.json), r.text);
		});
	});
}

test('id_escaping_to_another_customer_is_not_that_customer', async () => {
	// nginx decodes x%2f..%2f<id> to <id>; routed as sent, it is no id
	const sneaky = `/v1/customers/x%2f..%2f${other.id}`;
	expectError(await call(sneaky, { key: key() }), 404,
	    'invalid_request_error', 'resource_missing', 'id');
});

test('update_through_an_escaping_id_changes_no_customer', async () => {
	await unchanged(key(), async () => {
		for (const method of ['POST', 'PUT'])
			expectError(await call(`/v1/customers/x%2f..%2f${other.id}`, {
			    method, key: key(), json: { name: 'Pwned' } }), 404,
			    'invalid_request_error', 'resource_missing', 'id');
	});
	await intact();
});

test('delete_through_an_escaping_id_deletes_no_customer', async () => {
	await unchanged(key(), async () => {
		for (const path of [`/v1/customers/x%2f..%2f${other.id}`,
		    `/v1/customers/${cust.id}%2f..%2f${other.id}`,
		    `/v1/customers/%2e%2e%2fcustomers%2f${other.id}`])
			expectError(await call(path, { method: 'DELETE', key: key() }),
			    404, 'invalid_request_error', 'resource_missing', 'id');
	});
	await intact();
});

test('raw_dot_segments_in_an_api_path_answer_404_unrecognized', async () => {
	await unchanged(key(), async () => {
		for (const path of [`/v1/customers/${cust.id}/../${other.id}`,
		    '/v1/customers/../../healthz', '/v1/./customers',
		    `/v1/customers/x/../${other.id}`]) {
			const r = await rawCall('DELETE', path, [auth()]);
			assert.equal(r.status, 404, path);
			assert.equal(r.json.error.code, 'resource_missing');
			assert.match(r.json.error.message, /^Unrecognized request URL/);
		}
	});
	await intact();
});

test('an_escaping_path_still_counts_as_a_request_with_that_key', async () => {
	// The path nginx decodes lies outside /v1/, but the worker answers
	// the customers route: it must have checked the key.
	const r = await call('/v1/customers/..%2f..%2fx', { check: false });
	assert.equal(r.status, 401);
	assert.equal(r.json.error.type, 'authentication_error');
});

// ---- bodies on GET and DELETE

// (fetch() sends no body on GET: these go over a raw socket.)
test('json_body_on_a_list_is_ignored', async () => {
	const plain = expectOk(await call('/v1/customers', { key: key() }));
	const r = await rawCall('GET', '/v1/customers', [auth(),
	    ['Content-Type', 'application/json']],
	    JSON.stringify({ limit: 1, email: cust.email }));
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.data.map((c) => c.id), plain.data.map((c) => c.id));
	assert.ok(r.json.data.length >= 2);
});

test('form_body_on_a_retrieve_changes_nothing', async () => {
	await unchanged(key(), async () => {
		const r = await rawCall('GET', `/v1/customers/${cust.id}`, [auth(),
		    ['Content-Type', 'application/x-www-form-urlencoded']],
		    'name=Changed&metadata[x]=y');
		assert.equal(r.status, 200);
		assert.deepEqual(r.json, cust);
	});
	await intact();
});

test('malformed_body_of_any_type_on_get_is_ignored', async () => {
	await unchanged(key(), async () => {
		for (const [type, body] of [['application/json', '{"name": '],
		    ['text/plain', 'hello'], ['application/xml', '<a/>']]) {
			const r = await rawCall('GET', `/v1/customers/${cust.id}`,
			    [auth(), ['Content-Type', type]], body);
			assert.equal(r.status, 200, type);
			assert.deepEqual(r.json, cust);
		}
	});
});

test('body_on_delete_is_ignored_and_the_deleted_object_keeps_its_values', async () => {
	const c = expectOk(await call('/v1/customers', { method: 'POST',
	    key: key(), json: { name: 'To Delete', email: uniqEmail('del'),
	    metadata: { keep: 'me' } } }));
	const r = expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: key(), json: { name: 'Changed', metadata: { keep: '' },
	    email: 'evil@example.com' } }));
	assert.deepEqual(r, { id: c.id, object: 'customer', deleted: true });
	const events = expectOk(await call('/v1/events?type=customer.deleted',
	    { key: key() })).data;
	const ev = events.find((e) => e.data.object.id === c.id);
	assert.ok(ev, 'no customer.deleted event');
	assert.equal(ev.data.object.name, 'To Delete');
	assert.deepEqual(ev.data.object.metadata, { keep: 'me' });
	// and no update event for it
	const updates = expectOk(await call('/v1/events?type=customer.updated',
	    { key: key() })).data;
	assert.ok(!updates.some((e) => e.data.object.id === c.id));
});

test('malformed_or_unsupported_body_on_delete_is_ignored', async () => {
	const c = expectOk(await call('/v1/customers', { method: 'POST',
	    key: key(), json: { name: 'Del2', email: uniqEmail('del2') } }));
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: key(), body: '<xml>', headers: { 'Content-Type': 'text/xml' } }));
	expectError(await call(`/v1/customers/${c.id}`, { key: key() }), 404,
	    'invalid_request_error', 'resource_missing', 'id');
});

test('card_number_in_a_delete_body_is_neither_read_nor_stored', async () => {
	const c = expectOk(await call('/v1/customers', { method: 'POST',
	    key: key(), json: { name: 'Del3', email: uniqEmail('del3') } }));
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: key(), form: { metadata: { card: '4242424242424242' } } }));
	const ev = expectOk(await call('/v1/events?type=customer.deleted',
	    { key: key() })).data.find((e) => e.data.object.id === c.id);
	assert.doesNotMatch(JSON.stringify(ev), /4242424242424242/);
});

test('body_over_the_limit_on_delete_answers_413_and_deletes_nothing', async () => {
	await unchanged(key(), async () => {
		const r = await call(`/v1/customers/${other.id}`, { method: 'DELETE',
		    key: key(), body: 'x'.repeat(70000),
		    headers: { 'Content-Type': 'text/plain' } });
		expectError(r, 413, 'invalid_request_error', 'body_too_large', null);
	});
	await intact();
});

// ---- Content-Length that lies, and smuggling

test('content_length_shorter_than_the_body_writes_nothing', async () => {
	const email = uniqEmail('short');
	const body = JSON.stringify({ name: 'Short', email });
	await unchanged(key(), async () => {
		const r = await rawExchange([rawRequest('POST', '/v1/customers',
		    [auth(), ['Content-Type', 'application/json'],
		    ['Content-Length', String(body.length - 10)],
		    ['Connection', 'keep-alive']], body)]);
		const [first, second] = parseResponses(r.data);
		// the cut body is malformed JSON; the rest is not a request
		assert.equal(first.status, 400);
		assert.equal(first.json.error.code, 'body_invalid');
		assert.equal(second?.status, 400);
		assert.equal(second.json.error.code, 'request_malformed');
	});
});

// (A Content-Length longer than the body is a slow client: below.)

for (const [label, headers, body] of [
	['content_length_and_chunked', [['Content-Length', '4'],
	    ['Transfer-Encoding', 'chunked']], '0\r\n\r\nPOST /v1/customers HTTP/1.1\r\n\r\n'],
	['two_different_content_lengths', [['Content-Length', '2'],
	    ['Content-Length', '40']], '{}'],
	['negative_content_length', [['Content-Length', '-1']], '{}'],
	['non_numeric_content_length', [['Content-Length', '1e3']], '{}'],
	['content_length_beyond_int64', [['Content-Length',
	    '99999999999999999999999']], '{}'],
	['unknown_transfer_encoding', [['Transfer-Encoding', 'gzip, chunked']], '{}'],
]) {
	test(`smuggling_${label}_answers_400_json_and_writes_nothing`, async () => {
		await unchanged(key(), async () => {
			const r = await rawExchange([rawRequest('POST', '/v1/customers',
			    [auth(), ['Content-Type', 'application/json'], ...headers],
			    body)]);
			const res = parseResponses(r.data);
			assert.ok(res.length >= 1, r.data.toString().slice(0, 200));
			assert.ok(res[0].status === 400 || res[0].status === 413 ||
			    res[0].status === 501, String(res[0].status));
			assert.equal(res[0].json?.error?.type, 'invalid_request_error');
			// never a second request out of the first one's body
			assert.ok(res.every((x) => x.status >= 400));
		});
	});
}

// ---- request lines nginx cannot read: still JSON

for (const [label, line] of [
	['garbage', 'GARBAGE'],
	['no_version', 'GET /v1/customers'],
	['bad_version', 'GET /v1/customers HTTP/9.9'],
	['space_in_path', 'GET /v1/cust omers HTTP/1.1'],
	['control_character_in_path', 'GET /v1/\x01customers HTTP/1.1'],
]) {
	test(`request_line_${label}_answers_json`, async () => {
		const r = await rawExchange([Buffer.from(`${line}\r\nHost: x\r\n` +
		    'Connection: close\r\n\r\n', 'latin1')]);
		const [res] = parseResponses(r.data);
		if (res === undefined) {
			// HTTP/0.9 ("GET /path"): a body and no headers
			assert.equal(typeof JSON.parse(r.data.toString()).error.code,
			    'string');
			return;
		}
		assert.ok(res.status >= 400 && res.status < 600, String(res.status));
		assert.match(res.header('content-type'), /^application\/json/);
		assert.equal(typeof res.json.error.code, 'string');
	});
}

test('trace_answers_405_json', async () => {
	const r = await rawCall('TRACE', '/v1/customers', [auth()]);
	assert.equal(r.status, 405);
	assert.equal(r.json.error.code, 'method_not_allowed');
});

// ---- slow clients

test('slow_clients_are_cut_off_by_nginx', { concurrency: true }, async (t) => {
	await Promise.all([
		t.test('a_client_that_sends_nothing_is_closed_within_15_s', async () => {
			const r = await rawExchange([], { timeoutMs: CUT_OFF_MS });
			assert.notEqual(r.closed, 'timeout', 'still open');
		}),
		t.test('headers_sent_a_byte_a_second_are_cut_off_within_15_s', async () => {
			const req = rawRequest('GET', '/v1/customers', [auth()]);
			const parts = [];
			for (const b of req.subarray(0, 40))
				parts.push(Buffer.from([b]), 1000);
			const t0 = Date.now();
			const r = await rawExchange(parts, { timeoutMs: CUT_OFF_MS });
			assert.ok(r.closed !== 'timeout' || r.writeError,
			    'the connection outlived the header timeout');
			assert.ok(Date.now() - t0 < CUT_OFF_MS + 2000,
			    `open for ${Date.now() - t0} ms`);
			for (const res of parseResponses(r.data))
				assert.notEqual(res.status, 200);
		}),
		t.test('content_length_longer_than_the_body_is_cut_off_and_writes_nothing', async () => {
			const body = JSON.stringify({ name: 'Long', email: uniqEmail('long') });
			const r = await rawExchange([rawRequest('POST', '/v1/customers',
			    [auth(), ['Content-Type', 'application/json'],
			    ['Content-Length', String(body.length + 100)]], body)],
			    { timeoutMs: CUT_OFF_MS + 5000 });
			assert.notEqual(r.closed, 'timeout', 'the server never closed');
			assert.ok(r.ms < CUT_OFF_MS, `closed after ${r.ms} ms`);
			// nginx gives up (408, or a reset): never a 2xx
			for (const res of parseResponses(r.data))
				assert.ok(res.status >= 400, String(res.status));
			const email = JSON.parse(body).email;
			assert.deepEqual(expectOk(await call('/v1/customers?email=' +
			    encodeURIComponent(email), { key: key() })).data, []);
		}),
		t.test('a_body_that_stops_half_way_is_cut_off_within_15_s_and_writes_nothing', async () => {
			const body = JSON.stringify({ name: 'Slow', email: uniqEmail('slow') });
			const before = expectOk(await call('/v1/customers?limit=100',
			    { key: key() })).data.length;
			const req = rawRequest('POST', '/v1/customers', [auth(),
			    ['Content-Type', 'application/json']], body);
			const r = await rawExchange([req.subarray(0, req.length - 10)],
			    { timeoutMs: CUT_OFF_MS });
			assert.notEqual(r.closed, 'timeout', 'still open');
			assert.equal(expectOk(await call('/v1/customers?limit=100',
			    { key: key() })).data.length, before);
		}),
	]);
});

test('the_service_still_answers_after_the_hostile_connections', async () => {
	assert.deepEqual(expectOk(await call('/healthz')), { status: 'ok' });
	await intact();
});
