// Webhook endpoints and their delivery by pesaswap-jobs (API.md "Events and
// webhooks"; issue 4 "What must work" and "Tests"), against real HTTP
// receivers on 127.0.0.1 written here.
//
// Endpoints: create (the whsec_ secret shown once, never again), list,
// retrieve, update, delete, validation. Delivery: each receiver checks
// the PesaSwap-Signature (HMAC-SHA256 of "<t>.<raw body>" keyed by the
// whole secret, compared in constant time), the Content-Type, the event
// type and data.object; enabled_events filtering; disabled and deleted
// endpoints get nothing; at least once (500 twice, then the third try
// succeeds); a receiver that never answers does not hold back a healthy
// one; pesaswap-jobs SIGKILLed in the middle of a batch and restarted
// delivers everything; two pesaswap-jobs at once lose nothing; the
// deliveries list.
//
// The stack's pesaswap-jobs is stopped, killed and started here
// (tests/lib/jobs.mjs); every test puts it back running, even on failure.
// Delivery tests use an account each, so their endpoints never see
// another test's events. Time bounds follow the PESASWAP_WEBHOOK_RETRY_MS
// of the running pesaswap-jobs (test.sh sets it small; its default is
// 10 s, which makes the retry tests take minutes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail, sleep }
    from '../lib/openapi.mjs';
import { LEASE_MS, alive, jobsPid, startJobs, stopJobs, killJobs,
    spawnJobs, retryMsOf } from '../lib/jobs.mjs';

const DELIVER_MS = 10000;	// an event reaches a healthy receiver within
const QUIET_MS = 1500;		// "nothing more comes": polls are 200 ms
const HEALTHY_MS = 2000;	// beside a hanging receiver (the brief's ~2 s)

let acct;			// endpoint CRUD tests
let other;			// another account, for isolation
const receivers = new Set();	// closed in after(), whatever happened
before(async () => {
	acct = await newAccount('api-webhooks');
	other = await newAccount('api-webhooks-other');
	await startJobs();
});

// The first retry delay of the pesaswap-jobs running now (tests restart
// it, with this process's environment).
const retryMs = async () => retryMsOf(await startJobs());
after(async () => {
	for (const r of receivers)
		await r.close();
	await startJobs();	// the stack keeps its pesaswap-jobs
});

// ------------------------------------------------------------- receivers

/**
 * Checks a PesaSwap-Signature header against RAW (a Buffer) with SECRET:
 * t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw>">, within TOLERANCE seconds
 * of now. Returns {ok, reason}.
 */
function verifySignature(header, raw, secret, tolerance = 300) {
	if (typeof header !== 'string')
		return { ok: false, reason: 'no header' };
	let t;
	const v1 = [];
	for (const part of header.split(',')) {
		const i = part.indexOf('=');
		const k = part.slice(0, i).trim(), v = part.slice(i + 1).trim();
		if (k === 't')
			t = v;
		else if (k === 'v1')
			v1.push(v);
	}
	if (!/^\d+$/.test(t ?? ''))
		return { ok: false, reason: 'no t' };
	if (Math.abs(Date.now() / 1000 - Number(t)) > tolerance)
		return { ok: false, reason: `t=${t} is too far from now` };
	const want = createHmac('sha256', secret).update(`${t}.`).update(raw)
	    .digest();
	for (const sig of v1) {
		if (!/^[0-9a-f]{64}$/.test(sig))
			continue;
		const got = Buffer.from(sig, 'hex');
		if (got.length === want.length && timingSafeEqual(got, want))
			return { ok: true };
	}
	return { ok: false, reason: 'no v1 matches' };
}

/**
 * An HTTP receiver on 127.0.0.1 (port 0). BEHAVE(delivery, all) gives the
 * status to answer (or a promise of it), or 'hang' (never answer) or
 * 'drop' (close the connection). Each request is kept as a delivery
 * {n, at (ms), method, url, headers, raw, json, port (the sender's),
 * answered (the status once written to a live connection, else
 * undefined: a sender that died before the answer never got it)}.
 */
async function receiver(behave = () => 200) {
	const got = [];
	const sockets = new Set();
	const path = `/hooks/${uniq('r')}`;
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const raw = Buffer.concat(chunks);
			let json;
			try {
				json = JSON.parse(raw.toString('utf8'));
			} catch { /* checked by the tests */ }
			const d = { n: got.length + 1, at: Date.now(),
			    method: req.method, url: req.url, headers: req.headers,
			    raw, json, port: req.socket.remotePort };
			got.push(d);
			let status;
			try {
				status = await behave(d, got);
			} catch {
				status = 500;
			}
			if (status === 'hang')
				return;
			if (status === 'drop') {
				req.socket.destroy();
				return;
			}
			if (!res.destroyed && !res.headersSent &&
			    !req.socket.destroyed) {
				res.writeHead(status, { 'content-type': 'text/plain' });
				res.end(status < 300 ? 'ok' : 'no');
				d.answered = status;
			}
		});
	});
	server.keepAliveTimeout = 60000;
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const port = server.address().port;
	const r = {
		port,
		url: `http://127.0.0.1:${port}${path}`,
		path,
		got,
		secret: undefined,	// set by endpoint()
		/** Distinct event ids received. */
		ids: () => new Set(got.map((d) => d.json?.id)),
		/** Deliveries of event ID. */
		of: (id) => got.filter((d) => d.json?.id === id),
		/** Waits until PRED(got) holds; fails after MS. */
		async until(pred, ms, what) {
			const end = Date.now() + ms;
			while (!pred(got)) {
				assert.ok(Date.now() < end, `${what}: not within ` +
				    `${ms} ms (received ${got.length}: ` +
				    `${got.slice(-5).map((d) => d.json?.type)})`);
				await sleep(20);
			}
		},
		async close() {
			if (!receivers.delete(r))
				return;
			server.closeAllConnections?.();
			for (const s of sockets)
				s.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	};
	receivers.add(r);
	return r;
}

// What every delivery must be: a signed POST of an event as JSON.
function checkDelivery(d, rcv) {
	const where = `delivery ${d.n} to ${rcv.path}`;
	assert.equal(d.method, 'POST', where);
	assert.equal(d.url, rcv.path, where);
	assert.match(d.headers['content-type'] ?? '', /^application\/json\b/,
	    `${where}: Content-Type`);
	assert.match(d.headers['pesaswap-signature'] ?? '',
	    /^t=\d+,v1=[0-9a-f]{64}$/, `${where}: PesaSwap-Signature`);
	const v = verifySignature(d.headers['pesaswap-signature'], d.raw,
	    rcv.secret);
	assert.ok(v.ok, `${where}: signature: ${v.reason}`);
	assert.ok(d.json, `${where}: the body is not JSON`);
	assert.deepEqual(Object.keys(d.json),
	    ['id', 'object', 'type', 'data', 'created', 'livemode'], where);
	assert.match(d.json.id, /^evt_[0-9A-Za-z]{16}$/);
	assert.equal(d.json.object, 'event');
}

// ---------------------------------------------------------- API helpers

const post = (path, json, key) => call(path, { method: 'POST', key, json });
const del = (path, key) => call(path, { method: 'DELETE', key });
const weGet = (id, key = acct.testKey) =>
    call(`/v1/webhook_endpoints/${id}`, { key });
const weList = (qs = '', key = acct.testKey) =>
    call('/v1/webhook_endpoints' + (qs ? '?' + qs : ''), { key });
const weCreate = (json, key = acct.testKey) =>
    post('/v1/webhook_endpoints', json, key);
const weUpdate = (id, json, key = acct.testKey) =>
    post(`/v1/webhook_endpoints/${id}`, json, key);
const weDelete = (id, key = acct.testKey) =>
    del(`/v1/webhook_endpoints/${id}`, key);
const deliveriesPage = (id, qs = '', key = acct.testKey) =>
    call(`/v1/webhook_endpoints/${id}/deliveries` + (qs ? '?' + qs : ''),
    { key });

// Every delivery of endpoint ID, newest first.
async function deliveries(id, key) {
	const out = [];
	let cursor;
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 100, 'too many pages');
		const l = expectOk(await deliveriesPage(id, 'limit=100' +
		    (cursor ? `&starting_after=${cursor}` : ''), key));
		out.push(...l.data);
		if (!l.has_more)
			return out;
		cursor = l.data[l.data.length - 1].id;
	}
}

// Polls the deliveries of endpoint ID until PRED(list) holds.
async function deliveriesUntil(id, key, pred, ms, what) {
	const end = Date.now() + ms;
	for (;;) {
		const l = await deliveries(id, key);
		if (pred(l))
			return l;
		assert.ok(Date.now() < end, `${what}: not within ${ms} ms: ` +
		    JSON.stringify(l.slice(0, 3)));
		await sleep(100);
	}
}

// An endpoint for receiver RCV (its secret kept on RCV).
async function endpoint(rcv, key, params = {}) {
	const we = expectOk(await weCreate({ url: rcv.url, ...params }, key));
	rcv.secret = we.secret;
	return we;
}

// A fresh account for one delivery test: {id, testKey, liveKey}.
const fresh = (name) => newAccount(`api-webhooks-${name}`);

const newCustomer = async (key, extra = {}) =>
    expectOk(await post('/v1/customers', { name: 'Hooked',
    email: uniqEmail('wh'), ...extra }, key));

// N customers made with up to CONC requests at once; their ids in order
// of creation is not promised, so a list of customer objects comes back.
async function manyCustomers(keys, n, conc = 8) {
	const out = [];
	let next = 0;
	const worker = async (w) => {
		while (next < n) {
			const i = next++;
			const key = keys[i % keys.length];
			for (let tries = 0; ; tries++) {
				const r = await call('/v1/customers', { method: 'POST',
				    key, json: { name: `Bulk ${i}`,
				    email: uniqEmail(`b${w}`) }, check: false });
				if (r.status === 429 && tries < 50) {
					await sleep(1000 *
					    (Number(r.headers.get('retry-after')) || 1));
					continue;
				}
				out.push(expectOk(r));
				break;
			}
		}
	};
	await Promise.all(Array.from({ length: conc }, (_, w) => worker(w)));
	return out;
}

// The event of TYPE about object ID, from the API.
async function eventOf(type, id, key) {
	for (let cursor, pages = 0; pages < 100; pages++) {
		const l = expectOk(await call(`/v1/events?type=${type}&limit=100` +
		    (cursor ? `&starting_after=${cursor}` : ''), { key }));
		const e = l.data.find((x) => x.data.object.id === id);
		if (e)
			return e;
		if (!l.has_more)
			break;
		cursor = l.data[l.data.length - 1].id;
	}
	assert.fail(`no ${type} event about ${id}`);
}

// ================================================================ endpoints

const WE_KEYS = ['id', 'object', 'url', 'enabled_events', 'description',
    'status', 'metadata', 'created', 'livemode'];
const WE_CREATED_KEYS = ['id', 'object', 'url', 'enabled_events',
    'description', 'status', 'metadata', 'secret', 'created', 'livemode'];

test('create_answers_the_endpoint_with_its_whsec_secret', async () => {
	const url = `https://hooks.example.com/pesaswap/${uniq('c')}`;
	const we = expectOk(await weCreate({ url, description: 'Orders',
	    enabled_events: ['customer.created', 'payment.succeeded'],
	    metadata: { team: 'billing' } }));
	assert.deepEqual(Object.keys(we), WE_CREATED_KEYS);
	assert.match(we.id, /^we_[0-9A-Za-z]{16}$/);
	assert.equal(we.object, 'webhook_endpoint');
	assert.equal(we.url, url);
	assert.deepEqual(we.enabled_events, ['customer.created',
	    'payment.succeeded']);
	assert.equal(we.description, 'Orders');
	assert.equal(we.status, 'enabled');
	assert.deepEqual(we.metadata, { team: 'billing' });
	assert.match(we.secret, /^whsec_[0-9A-Za-z]{24,}$/);
	assert.ok(Math.abs(we.created - Date.now() / 1000) < 120);
	assert.equal(we.livemode, false);
});

test('the_secret_is_never_shown_again', async () => {
	const we = expectOk(await weCreate({ url: 'https://example.com/h1' }));
	const { secret, ...shown } = we;
	const g = await weGet(we.id);
	assert.deepEqual(expectOk(g), shown);
	assert.deepEqual(Object.keys(g.json), WE_KEYS);
	const l = await weList('limit=100');
	assert.deepEqual(expectOk(l).data.find((x) => x.id === we.id), shown);
	const u = await weUpdate(we.id, { description: 'renamed' });
	assert.deepEqual(expectOk(u), { ...shown, description: 'renamed' });
	const d = await deliveriesPage(we.id);
	for (const r of [g, l, u, d])
		assert.ok(!r.text.includes(secret) && !r.text.includes('whsec_'),
		    'an answer after creation holds the secret');
});

test('each_endpoint_has_its_own_secret', async () => {
	const a = expectOk(await weCreate({ url: 'https://example.com/a' }));
	const b = expectOk(await weCreate({ url: 'https://example.com/a' }));
	assert.notEqual(a.secret, b.secret);
	assert.notEqual(a.id, b.id);
});

test('create_defaults_to_every_event_no_description_no_metadata', async () => {
	const we = expectOk(await weCreate({ url: 'http://127.0.0.1:9/x' }));
	assert.deepEqual(we.enabled_events, ['*']);
	assert.equal(we.description, null);
	assert.deepEqual(we.metadata, {});
	assert.equal(we.status, 'enabled');
});

test('form_encoded_enabled_events_as_stripe_clients_send_them', async () => {
	for (const form of [
	    'url=https%3A%2F%2Fexample.com%2Fform&enabled_events[]=customer.created' +
	    '&enabled_events[]=payment.failed',
	    'url=https%3A%2F%2Fexample.com%2Fform&enabled_events[0]=customer.created' +
	    '&enabled_events[1]=payment.failed']) {
		const we = expectOk(await call('/v1/webhook_endpoints',
		    { method: 'POST', key: acct.testKey, form }));
		assert.equal(we.url, 'https://example.com/form');
		assert.deepEqual(we.enabled_events, ['customer.created',
		    'payment.failed']);
	}
});

test('every_known_event_type_and_star_are_accepted', async () => {
	for (const events of [['*'], ['customer.created', 'customer.updated',
	    'customer.deleted', 'payment.succeeded', 'payment.failed',
	    'payment_method.attached', 'payment_method.detached',
	    'subscription.created', 'subscription.updated',
	    'subscription.deleted']]) {
		const we = expectOk(await weCreate({ url: 'https://example.com/t',
		    enabled_events: events }));
		assert.deepEqual(we.enabled_events, events);
	}
});

for (const [name, url] of [
    ['ftp', 'ftp://example.com/hook'],
    ['file', 'file:///etc/passwd'],
    ['javascript', 'javascript:alert(1)'],
    ['mailto', 'mailto:ops@example.com'],
    ['gopher', 'gopher://example.com/'],
    ['no_scheme', 'example.com/hook'],
    ['host_port_only', '127.0.0.1:8080/hook'],
    ['scheme_only', 'https://'],
    ['no_host', 'http:///path'],
    ['a_space', 'http://exa mple.com/'],
    ['a_newline', 'http://example.com/\nX-Injected: 1']]) {
	test(`a_${name}_url_is_refused_with_parameter_invalid`, async () => {
		const before = expectOk(await weList('limit=100')).data.length;
		expectError(await weCreate({ url }), 400, 'invalid_request_error',
		    'parameter_invalid', 'url');
		assert.equal(expectOk(await weList('limit=100')).data.length,
		    before, 'nothing was created');
	});
}

test('a_missing_or_empty_url_is_parameter_missing', async () => {
	expectError(await weCreate({ enabled_events: ['*'] }), 400,
	    'invalid_request_error', 'parameter_missing', 'url');
	expectError(await weCreate({ url: '' }), 400, 'invalid_request_error',
	    'parameter_missing', 'url');
});

// An account of its own: its endpoints' URLs are odd ones.
test('http_and_https_urls_in_any_case_are_accepted', async () => {
	const acc = await fresh('url-case');
	for (const url of ['http://127.0.0.1:8080/hooks?x=1',
	    'HTTPS://Hooks.Example.COM/Path', 'Http://example.com/h',
	    'https://[::1]:8443/h'])
		assert.equal(expectOk(await weCreate({ url }, acc.testKey)).url, url);
});

for (const [name, events] of [
    ['an_unknown_type', ['customer.created', 'customer.exploded']],
    ['an_empty_list', []],
    ['star_with_types', ['*', 'customer.created']],
    ['a_plain_string', 'customer.created'],
    ['a_number', [42]]]) {
	test(`enabled_events_with_${name}_is_refused`, async () => {
		expectError(await weCreate({ url: 'https://example.com/e',
		    enabled_events: events }), 400, 'invalid_request_error',
		    'parameter_invalid', 'enabled_events');
	});
}

test('unknown_and_update_only_parameters_are_refused_at_create', async () => {
	expectError(await weCreate({ url: 'https://example.com/u',
	    secret: 'whsec_mine' }), 400, 'invalid_request_error',
	    'parameter_unknown', 'secret');
	expectError(await weCreate({ url: 'https://example.com/u',
	    disabled: true }), 400, 'invalid_request_error', 'parameter_unknown',
	    'disabled');
});

test('update_changes_url_events_description_and_metadata_only', async () => {
	const we = expectOk(await weCreate({ url: 'https://example.com/old',
	    description: 'old', metadata: { a: '1' } }));
	const { secret, ...shown } = we;
	const u = expectOk(await weUpdate(we.id, {
	    url: 'https://example.com/new',
	    enabled_events: ['payment.failed'], description: 'new',
	    metadata: { b: '2' } }));
	assert.deepEqual(u, { ...shown, url: 'https://example.com/new',
	    enabled_events: ['payment.failed'], description: 'new',
	    metadata: { a: '1', b: '2' } });
	assert.deepEqual(expectOk(await weGet(we.id)), u);
	// Fields not sent stay.
	assert.deepEqual(expectOk(await weUpdate(we.id, {})), u);
});

test('disabled_true_and_false_switch_the_status', async () => {
	const we = expectOk(await weCreate({ url: 'https://example.com/d' }));
	assert.equal(expectOk(await weUpdate(we.id, { disabled: true })).status,
	    'disabled');
	assert.equal(expectOk(await weGet(we.id)).status, 'disabled');
	assert.equal(expectOk(await weUpdate(we.id, { disabled: false })).status,
	    'enabled');
	const form = (v) => call(`/v1/webhook_endpoints/${we.id}`,
	    { method: 'POST', key: acct.testKey, form: `disabled=${v}` });
	assert.equal(expectOk(await form('true')).status, 'disabled');
	assert.equal(expectOk(await form('false')).status, 'enabled');
	expectError(await weUpdate(we.id, { disabled: 'yes' }), 400,
	    'invalid_request_error', 'parameter_invalid', 'disabled');
});

test('an_update_with_a_bad_value_changes_nothing', async () => {
	const we = expectOk(await weCreate({ url: 'https://example.com/keep',
	    enabled_events: ['customer.created'] }));
	const { secret, ...shown } = we;
	expectError(await weUpdate(we.id, { url: 'ftp://example.com/',
	    description: 'changed' }), 400, 'invalid_request_error',
	    'parameter_invalid', 'url');
	expectError(await weUpdate(we.id, { enabled_events: ['nope'],
	    description: 'changed' }), 400, 'invalid_request_error',
	    'parameter_invalid', 'enabled_events');
	expectError(await weUpdate(we.id, { url: '' }), 400,
	    'invalid_request_error', 'parameter_missing', 'url');
	expectError(await weUpdate(we.id, { secret: 'whsec_x' }), 400,
	    'invalid_request_error', 'parameter_unknown', 'secret');
	assert.deepEqual(expectOk(await weGet(we.id)), shown);
});

test('delete_answers_deleted_and_the_endpoint_is_gone', async () => {
	const we = expectOk(await weCreate({ url: 'https://example.com/del' }));
	assert.deepEqual(expectOk(await weDelete(we.id)),
	    { id: we.id, object: 'webhook_endpoint', deleted: true });
	for (const r of [await weGet(we.id), await weDelete(we.id),
	    await weUpdate(we.id, { description: 'x' }),
	    await deliveriesPage(we.id)])
		expectError(r, 404, 'invalid_request_error', 'resource_missing',
		    'id');
	assert.ok(!expectOk(await weList('limit=100')).data
	    .some((x) => x.id === we.id));
});

test('unknown_endpoint_ids_are_404', async () => {
	for (const r of [await weGet('we_0000000000000000'),
	    await weUpdate('we_0000000000000000', { description: 'x' }),
	    await weDelete('we_0000000000000000'),
	    await deliveriesPage('we_0000000000000000')])
		expectError(r, 404, 'invalid_request_error', 'resource_missing',
		    'id');
});

test('the_list_is_newest_first_and_pages_with_cursors', async () => {
	const acc = await fresh('list');
	const made = [];
	for (let i = 0; i < 5; i++)
		made.push(expectOk(await weCreate({
		    url: `https://example.com/l${i}` }, acc.testKey)));
	const want = made.map(({ secret, ...s }) => s).reverse();
	const all = expectOk(await weList('', acc.testKey));
	assert.equal(all.object, 'list');
	assert.equal(all.url, '/v1/webhook_endpoints');
	assert.equal(all.has_more, false);
	assert.deepEqual(all.data, want);
	const p1 = expectOk(await weList('limit=2', acc.testKey));
	assert.deepEqual(p1.data, want.slice(0, 2));
	assert.equal(p1.has_more, true);
	const p2 = expectOk(await weList(`limit=2&starting_after=${want[1].id}`,
	    acc.testKey));
	assert.deepEqual(p2.data, want.slice(2, 4));
	const back = expectOk(await weList(`limit=2&ending_before=${want[4].id}`,
	    acc.testKey));
	assert.deepEqual(back.data, want.slice(2, 4));
});

test('another_account_or_mode_never_sees_an_endpoint', async () => {
	const we = expectOk(await weCreate({ url: 'https://example.com/mine' }));
	for (const key of [other.testKey, other.liveKey, acct.liveKey]) {
		for (const r of [await weGet(we.id, key),
		    await weUpdate(we.id, { disabled: true }, key),
		    await weDelete(we.id, key),
		    await deliveriesPage(we.id, '', key)])
			expectError(r, 404, 'invalid_request_error',
			    'resource_missing', 'id');
		assert.ok(!expectOk(await weList('limit=100', key)).data
		    .some((x) => x.id === we.id));
	}
	assert.equal(expectOk(await weGet(we.id)).status, 'enabled');
	const live = expectOk(await weCreate({ url: 'https://example.com/live' },
	    acct.liveKey));
	assert.equal(live.livemode, true);
	expectError(await weGet(live.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
});

test('webhooks_read_keys_read_and_webhooks_write_keys_write', async () => {
	const we = expectOk(await weCreate({ url: 'https://example.com/perm' }));
	const r = await newKey(acct.id, 'test', 'webhooks:read');
	expectOk(await weGet(we.id, r.key));
	expectOk(await weList('', r.key));
	expectOk(await deliveriesPage(we.id, '', r.key));
	for (const res of [await weCreate({ url: 'https://example.com/p' }, r.key),
	    await weUpdate(we.id, { disabled: true }, r.key),
	    await weDelete(we.id, r.key)])
		expectError(res, 403, 'permission_error', 'permission_denied', null);
	const w = await newKey(acct.id, 'test', 'webhooks:write');
	expectOk(await weCreate({ url: 'https://example.com/p' }, w.key));
	const c = await newKey(acct.id, 'test', 'customers:write,events:read');
	expectError(await weList('', c.key), 403, 'permission_error',
	    'permission_denied', null);
	expectError(await weCreate({ url: 'https://example.com/p' }, c.key), 403,
	    'permission_error', 'permission_denied', null);
});

// ================================================================ delivery

test('an_event_is_posted_signed_with_the_event_as_json', async () => {
	const acc = await fresh('signed');
	const rcv = await receiver();
	try {
		const we = await endpoint(rcv, acc.testKey);
		const c = await newCustomer(acc.testKey);
		await rcv.until((g) => g.length >= 1, DELIVER_MS, 'the delivery');
		const d = rcv.got[0];
		checkDelivery(d, rcv);
		assert.equal(d.json.type, 'customer.created');
		assert.deepEqual(d.json.data.object, c);
		assert.deepEqual(d.json, await eventOf('customer.created', c.id,
		    acc.testKey), 'the body is GET /v1/events/:id');
		assert.equal(d.json.livemode, false);
		const [whd] = await deliveriesUntil(we.id, acc.testKey,
		    (l) => l[0]?.status === 'succeeded', 5000, 'succeeded');
		assert.match(whd.id, /^whd_[0-9A-Za-z]{16}$/);
		assert.equal(whd.object, 'webhook_delivery');
		assert.equal(whd.webhook_endpoint, we.id);
		assert.equal(whd.event, d.json.id);
		assert.equal(whd.event_type, 'customer.created');
		assert.equal(whd.attempts, 1);
		assert.equal(whd.last_status_code, 200);
		assert.equal(whd.next_attempt, null);
		assert.ok(whd.delivered >= whd.created);
		assert.equal(whd.livemode, false);
	} finally {
		await rcv.close();
	}
});

test('the_signature_is_keyed_by_the_whole_secret_and_covers_t_and_body', async () => {
	const acc = await fresh('sigkey');
	const a = await receiver(), b = await receiver();
	try {
		await endpoint(a, acc.testKey);
		await endpoint(b, acc.testKey);
		const c = await newCustomer(acc.testKey);
		await a.until((g) => g.length >= 1, DELIVER_MS, 'A');
		await b.until((g) => g.length >= 1, DELIVER_MS, 'B');
		const [da, db] = [a.got[0], b.got[0]];
		checkDelivery(da, a);
		checkDelivery(db, b);
		assert.equal(da.json.id, db.json.id, 'one event, two endpoints');
		assert.equal(da.json.data.object.id, c.id);
		const h = da.headers['pesaswap-signature'];
		const t = Number(/t=(\d+)/.exec(h)[1]);
		assert.ok(verifySignature(h, da.raw, a.secret).ok);
		assert.ok(!verifySignature(h, da.raw, b.secret).ok,
		    "B's secret does not verify A's delivery");
		assert.ok(!verifySignature(h, da.raw,
		    a.secret.slice('whsec_'.length)).ok,
		    'keyed by the whole whsec_ string');
		const tampered = Buffer.from(da.raw.toString().replace('Hooked',
		    'Hacked'));
		assert.notDeepEqual(tampered, da.raw);
		assert.ok(!verifySignature(h, tampered, a.secret).ok,
		    'the body is signed');
		assert.ok(!verifySignature(h.replace(`t=${t}`, `t=${t + 1}`),
		    da.raw, a.secret).ok, 't is signed');
	} finally {
		await a.close();
		await b.close();
	}
});

test('every_kind_of_change_is_delivered_with_its_type_and_object', async () => {
	const acc = await fresh('kinds');
	const rcv = await receiver();
	try {
		await endpoint(rcv, acc.testKey);
		const k = acc.testKey;
		const want = {};
		const c = await newCustomer(k);
		want['customer.created'] = c;
		want['customer.updated'] = expectOk(await post(
		    `/v1/customers/${c.id}`, { name: 'Changed' }, k));
		const pm = expectOk(await post(`/v1/customers/${c.id}/payment_methods`,
		    { payment_method: 'pm_card_visa' }, k));
		want['payment_method.attached'] = pm;
		want['payment.succeeded'] = expectOk(await post('/v1/payments',
		    { amount: 1200, currency: 'kes', customer: c.id,
		    payment_method: pm.id }, k));
		want['payment.failed'] = expectError(await post('/v1/payments',
		    { amount: 1300, currency: 'usd',
		    payment_method: 'pm_card_chargeDeclined' }, k), 402,
		    'card_error', 'card_declined').payment;
		want['payment_method.detached'] = expectOk(await del(
		    `/v1/customers/${c.id}/payment_methods/${pm.id}`, k));
		const last = expectOk(await call(`/v1/customers/${c.id}`, { key: k }));
		expectOk(await del(`/v1/customers/${c.id}`, k));
		await rcv.until((g) => new Set(g.map((d) => d.json?.type)).size >= 7,
		    DELIVER_MS, 'seven event types');
		for (const d of rcv.got)
			checkDelivery(d, rcv);
		for (const [type, obj] of Object.entries(want)) {
			const ds = rcv.got.filter((d) => d.json.type === type);
			assert.equal(new Set(ds.map((d) => d.json.id)).size, 1, type);
			assert.deepEqual(ds[0].json.data.object, obj, type);
		}
		const gone = rcv.got.find((d) => d.json.type === 'customer.deleted');
		assert.equal(gone.json.data.object.id, c.id);
		assert.equal(gone.json.data.object.email, last.email);
	} finally {
		await rcv.close();
	}
});

test('enabled_events_picks_the_events_each_endpoint_gets', async () => {
	const acc = await fresh('filter');
	const all = await receiver(), pay = await receiver(),
	    made = await receiver();
	try {
		const k = acc.testKey;
		await endpoint(all, k);
		const wePay = await endpoint(pay, k, { enabled_events:
		    ['payment.succeeded', 'payment.failed'] });
		const weMade = await endpoint(made, k,
		    { enabled_events: ['customer.created'] });
		const c = await newCustomer(k);
		expectOk(await post(`/v1/customers/${c.id}`, { name: 'U' }, k));
		const p = expectOk(await post('/v1/payments', { amount: 100,
		    currency: 'usd', customer: c.id }, k));
		expectOk(await del(`/v1/customers/${c.id}`, k));
		// The catch-all gets all four: each event is fanned out by then.
		await all.until((g) => new Set(g.map((d) => d.json?.id)).size >= 4,
		    DELIVER_MS, 'the catch-all endpoint');
		const lp = await deliveriesUntil(wePay.id, k,
		    (l) => l.every((x) => x.status === 'succeeded'), 5000, 'pay');
		assert.deepEqual(lp.map((x) => x.event_type), ['payment.succeeded']);
		const lm = await deliveriesUntil(weMade.id, k,
		    (l) => l.every((x) => x.status === 'succeeded'), 5000, 'made');
		assert.deepEqual(lm.map((x) => x.event_type), ['customer.created']);
		await pay.until((g) => g.length >= 1, DELIVER_MS, 'pay');
		await made.until((g) => g.length >= 1, DELIVER_MS, 'made');
		await sleep(QUIET_MS);
		assert.deepEqual([...pay.ids()], [lp[0].event]);
		assert.equal(pay.got[0].json.data.object.id, p.id);
		assert.deepEqual([...made.ids()], [lm[0].event]);
		assert.equal(made.got[0].json.data.object.id, c.id);
		for (const [r, d] of [[pay, pay.got[0]], [made, made.got[0]]])
			checkDelivery(d, r);
	} finally {
		await all.close();
		await pay.close();
		await made.close();
	}
});

test('changing_enabled_events_applies_to_later_events', async () => {
	const acc = await fresh('refilter');
	const rcv = await receiver(), ctl = await receiver();
	try {
		const k = acc.testKey;
		await endpoint(ctl, k);
		const we = await endpoint(rcv, k,
		    { enabled_events: ['customer.deleted'] });
		const a = await newCustomer(k);
		await ctl.until((g) => g.length >= 1, DELIVER_MS, 'control: a');
		expectOk(await weUpdate(we.id, { enabled_events:
		    ['customer.created'] }, k));
		const b = await newCustomer(k);
		await rcv.until((g) => g.length >= 1, DELIVER_MS, 'b');
		await ctl.until((g) => g.length >= 2, DELIVER_MS, 'control: b');
		await sleep(QUIET_MS);
		assert.deepEqual(rcv.got.map((d) => d.json.data.object.id), [b.id]);
		assert.ok(!rcv.got.some((d) => d.json.data.object.id === a.id));
	} finally {
		await rcv.close();
		await ctl.close();
	}
});

test('a_disabled_endpoint_gets_nothing_until_enabled_again', async () => {
	const acc = await fresh('disabled');
	const off = await receiver(), ctl = await receiver();
	try {
		const k = acc.testKey;
		await endpoint(ctl, k);
		const we = await endpoint(off, k);
		expectOk(await weUpdate(we.id, { disabled: true }, k));
		const a = await newCustomer(k);
		const b = await newCustomer(k);
		await ctl.until((g) => g.length >= 2, DELIVER_MS, 'control');
		await sleep(QUIET_MS);
		assert.equal(off.got.length, 0, 'a disabled endpoint got events');
		assert.deepEqual(await deliveries(we.id, k), []);
		expectOk(await weUpdate(we.id, { disabled: false }, k));
		const c = await newCustomer(k);
		await off.until((g) => g.length >= 1, DELIVER_MS, 'enabled again');
		await ctl.until((g) => g.length >= 3, DELIVER_MS, 'control');
		await sleep(QUIET_MS);
		assert.deepEqual(off.got.map((d) => d.json.data.object.id), [c.id],
		    'events made while disabled are never sent');
		assert.ok(![a.id, b.id].includes(off.got[0].json.data.object.id));
		checkDelivery(off.got[0], off);
	} finally {
		await off.close();
		await ctl.close();
	}
});

test('a_deleted_endpoint_gets_nothing', async () => {
	const acc = await fresh('deleted');
	const gone = await receiver(), ctl = await receiver();
	try {
		const k = acc.testKey;
		await endpoint(ctl, k);
		const we = await endpoint(gone, k);
		expectOk(await weDelete(we.id, k));
		await newCustomer(k);
		await newCustomer(k);
		await ctl.until((g) => g.length >= 2, DELIVER_MS, 'control');
		await sleep(QUIET_MS);
		assert.equal(gone.got.length, 0, 'a deleted endpoint got events');
	} finally {
		await gone.close();
		await ctl.close();
	}
});

// An endpoint that fails once, then is switched off by SWITCH_OFF (delete
// or disable) before it answers: no attempt may follow.
async function noRetryAfter(name, switchOff) {
	const RETRY_MS = await retryMs();
	const acc = await fresh(name);
	const k = acc.testKey;
	let we;
	const rcv = await receiver(async (d) => {
		if (d.n === 1)
			expectOk(await switchOff(we.id, k));
		return 500;
	});
	try {
		we = await endpoint(rcv, k);
		await newCustomer(k);
		await rcv.until((g) => g.length >= 1, DELIVER_MS, 'the first try');
		// Retries would come after RETRY_MS, then 2 * RETRY_MS (±25%).
		await sleep(Math.ceil(RETRY_MS * 1.25 * 3) + QUIET_MS);
		assert.equal(rcv.got.length, 1, `${rcv.got.length - 1} more ` +
		    `attempts after the endpoint was switched off (${name})`);
	} finally {
		await rcv.close();
	}
}

test('a_deleted_endpoint_gets_no_more_retries', async () => {
	await noRetryAfter('del-retry', (id, k) => weDelete(id, k));
});

test('a_disabled_endpoint_gets_no_more_retries', async () => {
	await noRetryAfter('dis-retry', (id, k) => weUpdate(id,
	    { disabled: true }, k));
});

test('an_endpoint_made_after_an_event_does_not_get_it', async () => {
	const acc = await fresh('later');
	const rcv = await receiver();
	const k = acc.testKey;
	try {
		// While nothing fans events out, an event, then (a second
		// later: created is in seconds) the endpoint.
		await stopJobs();
		const early = await newCustomer(k);
		await sleep(1100);
		await endpoint(rcv, k);
		await startJobs();
		const late = await newCustomer(k);
		await rcv.until((g) => g.length >= 1, DELIVER_MS, 'the later event');
		await sleep(QUIET_MS);
		assert.deepEqual(rcv.got.map((d) => d.json.data.object.id),
		    [late.id]);
		assert.ok(!rcv.got.some((d) => d.json.data.object.id === early.id));
	} finally {
		await startJobs();
		await rcv.close();
	}
});

test('events_of_another_mode_or_account_are_not_delivered', async () => {
	const acc = await fresh('modes');
	const acc2 = await fresh('modes-2');
	const test_ = await receiver(), live = await receiver();
	try {
		await endpoint(test_, acc.testKey);
		await endpoint(live, acc.liveKey);
		const l = await newCustomer(acc.liveKey);
		await newCustomer(acc2.testKey);
		const t = await newCustomer(acc.testKey);
		await test_.until((g) => g.length >= 1, DELIVER_MS, 'test mode');
		await live.until((g) => g.length >= 1, DELIVER_MS, 'live mode');
		await sleep(QUIET_MS);
		assert.deepEqual(test_.got.map((d) => d.json.data.object.id), [t.id]);
		assert.deepEqual(live.got.map((d) => d.json.data.object.id), [l.id]);
		assert.equal(live.got[0].json.livemode, true);
		checkDelivery(test_.got[0], test_);
		checkDelivery(live.got[0], live);
	} finally {
		await test_.close();
		await live.close();
	}
});

// ------------------------------------------------------- at least once

test('a_receiver_answering_500_twice_gets_the_event_on_the_third_try', async () => {
	const RETRY_MS = await retryMs();
	const acc = await fresh('500');
	const rcv = await receiver((d) => (d.n <= 2 ? 500 : 200));
	try {
		const we = await endpoint(rcv, acc.testKey);
		const c = await newCustomer(acc.testKey);
		// RETRY_MS, then 2 * RETRY_MS, each ±25%.
		await rcv.until((g) => g.length >= 3,
		    DELIVER_MS + RETRY_MS * 1.25 * 3 + 5000, 'the third try');
		const [d1, d2, d3] = rcv.got;
		for (const d of rcv.got)
			checkDelivery(d, rcv);
		assert.ok([d1, d2, d3].every((d) => d.json.id === d1.json.id),
		    'the same event each time');
		assert.deepEqual(d3.json, d1.json);
		assert.equal(d1.json.data.object.id, c.id);
		// Exponential back-off with jitter (±25%), less a poll turn.
		const g1 = d2.at - d1.at, g2 = d3.at - d2.at;
		assert.ok(g1 >= RETRY_MS * 0.75 - 50, `first retry after ${g1} ms`);
		assert.ok(g2 >= RETRY_MS * 1.5 - 50, `second retry after ${g2} ms`);
		const [whd] = await deliveriesUntil(we.id, acc.testKey,
		    (l) => l[0]?.status === 'succeeded', 5000, 'succeeded');
		assert.equal(whd.attempts, 3);
		assert.equal(whd.last_status_code, 200);
		assert.equal(whd.next_attempt, null);
		assert.ok(whd.delivered !== null);
		await sleep(QUIET_MS);
		assert.equal(rcv.got.length, 3, 'nothing after the success');
	} finally {
		await rcv.close();
	}
});

test('a_failing_delivery_is_listed_pending_with_its_next_attempt', async () => {
	const RETRY_MS = await retryMs();
	const acc = await fresh('pending');
	const rcv = await receiver(() => 503);
	try {
		const we = await endpoint(rcv, acc.testKey);
		const c = await newCustomer(acc.testKey);
		await rcv.until((g) => g.length >= 1, DELIVER_MS, 'the first try');
		const [whd] = await deliveriesUntil(we.id, acc.testKey,
		    (l) => l[0]?.attempts >= 1, 5000, 'one attempt recorded');
		assert.equal(whd.status, 'pending');
		assert.equal(whd.last_status_code, 503);
		assert.equal(whd.delivered, null);
		assert.equal(whd.event_type, 'customer.created');
		assert.equal(whd.event, rcv.got[0].json.id);
		assert.equal(rcv.got[0].json.data.object.id, c.id);
		const now = Date.now() / 1000;
		assert.ok(Number.isInteger(whd.next_attempt));
		assert.ok(whd.next_attempt >= Math.floor(now) - 2 &&
		    whd.next_attempt <= now + RETRY_MS * 1.25 * 2 / 1000 + 2,
		    `next_attempt ${whd.next_attempt}, now ${now}`);
	} finally {
		await rcv.close();
	}
});

test('a_dropped_connection_is_retried', async () => {
	const RETRY_MS = await retryMs();
	const acc = await fresh('drop');
	const rcv = await receiver((d) => (d.n === 1 ? 'drop' : 200));
	try {
		const we = await endpoint(rcv, acc.testKey);
		await newCustomer(acc.testKey);
		await rcv.until((g) => g.length >= 2,
		    DELIVER_MS + RETRY_MS * 1.25 + 5000, 'the retry');
		assert.equal(rcv.got[1].json.id, rcv.got[0].json.id);
		checkDelivery(rcv.got[1], rcv);
		const [whd] = await deliveriesUntil(we.id, acc.testKey,
		    (l) => l[0]?.status === 'succeeded', 5000, 'succeeded');
		assert.equal(whd.attempts, 2);
		assert.equal(whd.last_status_code, 200);
	} finally {
		await rcv.close();
	}
});

test('a_receiver_that_never_answers_does_not_delay_a_healthy_one', async () => {
	const acc = await fresh('hang');
	const hang = await receiver(() => 'hang');
	const ok = await receiver();
	try {
		const k = acc.testKey;
		await endpoint(hang, k);
		await endpoint(ok, k);
		for (let i = 1; i <= 5; i++) {
			const t0 = Date.now();
			const c = await newCustomer(k);
			await ok.until((g) => g.some((d) =>
			    d.json?.data.object.id === c.id), HEALTHY_MS,
			    `event ${i} at the healthy receiver beside a hanging one`);
			const d = ok.got.find((x) => x.json.data.object.id === c.id);
			checkDelivery(d, ok);
			assert.ok(d.at - t0 <= HEALTHY_MS, `${d.at - t0} ms`);
			// The hanging receiver holds its request meanwhile.
			await hang.until((g) => g.some((x) =>
			    x.json?.data.object.id === c.id), HEALTHY_MS,
			    `event ${i} at the hanging receiver`);
		}
		assert.equal(hang.got.length, 5, 'each request still hangs');
	} finally {
		await hang.close();
		await ok.close();
	}
});

// ------------------------------------------------- crashes and two jobs

test('jobs_killed_mid_batch_and_restarted_delivers_everything', async (t) => {
	const N = 200, HOLD_MS = 1000;
	const acc = await fresh('kill');
	const keys = [acc.testKey, (await newKey(acc.id, 'test')).key];
	let killed = false;
	// Slow: every answer takes a second, so a batch is in flight.
	const rcv = await receiver(() => sleep(HOLD_MS).then(() => 200));
	try {
		await startJobs();
		const we = await endpoint(rcv, acc.testKey);
		const made = await manyCustomers(keys, N, 8);
		// Kill it once part of the events arrived, while requests hang.
		await rcv.until((g) => g.length >= 40, DELIVER_MS + 20000,
		    'the first deliveries');
		const before = rcv.ids().size;
		await killJobs();
		killed = true;
		const atKill = rcv.ids().size;
		t.diagnostic(`killed with ${atKill} of ${N} events received ` +
		    `(${before} when the kill began)`);
		assert.ok(atKill < N, 'the kill came after everything arrived');
		await startJobs();
		killed = false;
		const tRestart = Date.now();
		// Every event answered 200 to a live pesaswap-jobs: those in
		// flight at the kill come again once their lease runs out.
		const want = new Set(made.map((c) => c.id));
		const acked = () => new Set(rcv.got.filter((d) => d.answered === 200)
		    .map((d) => d.json?.data.object.id));
		await rcv.until(() => [...want].every((id) => acked().has(id)),
		    LEASE_MS + 2 * DELIVER_MS + N / 64 * HOLD_MS,
		    'every event answered after the restart');
		const tAll = Date.now();
		for (const d of rcv.got.filter((_, i) => i % 10 === 0))
			checkDelivery(d, rcv);
		assert.deepEqual(new Set(rcv.got.map((d) => d.json?.data.object.id)),
		    want, 'only these events');
		const unanswered = rcv.got.filter((d) => d.answered === undefined);
		const again = rcv.got.length - rcv.ids().size;
		t.diagnostic(`${rcv.got.length} requests for ${rcv.ids().size} ` +
		    `events: ${unanswered.length} cut off by the kill, ${again} ` +
		    `sent again; all answered ${tAll - tRestart} ms after the ` +
		    'restart');
		assert.ok(unanswered.length > 0, 'no request was in flight at the kill');
		const l = await deliveriesUntil(we.id, acc.testKey, (x) =>
		    x.length === N && x.every((y) => y.status === 'succeeded'),
		    DELIVER_MS, 'every delivery succeeded');
		assert.equal(new Set(l.map((x) => x.event)).size, N);
	} finally {
		if (killed || await jobsPid() === null)
			await startJobs();
		await rcv.close();
	}
});

// Which pid delivered what: the senders' local ports, mapped to the
// processes owning those sockets (Linux /proc), sampled while they run.
function portOwners(pids, serverPort, into) {
	const inodeToPid = new Map();
	for (const pid of pids) {
		let fds = [];
		try {
			fds = readdirSync(`/proc/${pid}/fd`);
		} catch { continue; }
		for (const fd of fds) {
			try {
				const m = /^socket:\[(\d+)\]$/.exec(
				    readlinkSync(`/proc/${pid}/fd/${fd}`));
				if (m)
					inodeToPid.set(m[1], pid);
			} catch { /* closed meanwhile */ }
		}
	}
	for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text = '';
		try {
			text = readFileSync(f, 'utf8');
		} catch { continue; }
		for (const line of text.split('\n').slice(1)) {
			const c = line.trim().split(/\s+/);
			if (c.length < 10)
				continue;
			const local = parseInt(c[1].split(':')[1], 16);
			const remote = parseInt(c[2].split(':')[1], 16);
			if (remote === serverPort && inodeToPid.has(c[9]))
				into.set(local, inodeToPid.get(c[9]));
		}
	}
}

test('two_jobs_at_once_deliver_1000_events_with_none_lost', async (t) => {
	const N = 1000;
	const acc = await fresh('two');
	const keys = [acc.testKey];
	for (let i = 0; i < 4; i++)
		keys.push((await newKey(acc.id, 'test')).key);
	const rcv = await receiver();
	let second;
	const owners = new Map();
	let sampler;
	try {
		const first = await startJobs();
		second = await spawnJobs();
		const pids = [first, second.pid];
		sampler = setInterval(() => portOwners(pids, rcv.port, owners), 100);
		await endpoint(rcv, acc.testKey);
		const t0 = Date.now();
		const made = await manyCustomers(keys, N, 8);
		const tMade = Date.now();
		const want = new Set(made.map((c) => c.id));
		assert.equal(want.size, N);
		await rcv.until((g) => rcv.ids().size >= N, 60000,
		    `${N} distinct events`);
		const tAll = Date.now();
		await sleep(QUIET_MS);
		clearInterval(sampler);
		sampler = undefined;
		portOwners(pids, rcv.port, owners);
		const seen = new Set(rcv.got.map((d) => d.json?.data.object.id));
		const lost = [...want].filter((id) => !seen.has(id));
		assert.deepEqual(lost, [], `${lost.length} events lost`);
		assert.equal(rcv.ids().size, N);
		for (const d of rcv.got.filter((_, i) => i % 20 === 0))
			checkDelivery(d, rcv);
		const dups = rcv.got.length - rcv.ids().size;
		const by = new Map(pids.map((p) => [p, 0]));
		let unknown = 0;
		for (const d of rcv.got) {
			const p = owners.get(d.port);
			if (p === undefined)
				unknown++;
			else
				by.set(p, by.get(p) + 1);
		}
		t.diagnostic(`${N} events made in ${tMade - t0} ms, all delivered ` +
		    `${tAll - t0} ms after the first create; ${rcv.got.length} ` +
		    `requests, ${dups} duplicates; by pid: ` +
		    `${[...by].map(([p, n]) => `${p}=${n}`).join(' ')}, ` +
		    `unattributed ${unknown}`);
		assert.ok(alive(first) && alive(second.pid),
		    'both pesaswap-jobs still run');
		assert.equal(dups, 0, 'no event sent twice in the normal case');
		if (unknown < rcv.got.length / 2)
			for (const [p, n] of by)
				assert.ok(n > 0, `pesaswap-jobs ${p} delivered nothing`);
	} finally {
		if (sampler)
			clearInterval(sampler);
		await second?.stop();
		await rcv.close();
		await startJobs();
	}
});

// ----------------------------------------------------------- deliveries

test('the_deliveries_list_pages_newest_first', async () => {
	const acc = await fresh('dlist');
	const rcv = await receiver();
	try {
		const k = acc.testKey;
		const we = await endpoint(rcv, k);
		for (let i = 0; i < 5; i++)
			await newCustomer(k);
		const all = await deliveriesUntil(we.id, k, (l) => l.length === 5 &&
		    l.every((x) => x.status === 'succeeded'), DELIVER_MS, 'five');
		const l = expectOk(await deliveriesPage(we.id, '', k));
		assert.deepEqual(Object.keys(l), ['object', 'data', 'has_more',
		    'url']);
		assert.equal(l.url, `/v1/webhook_endpoints/${we.id}/deliveries`);
		assert.deepEqual(l.data, all);
		// Newest first: the events' order.
		const evs = expectOk(await call('/v1/events?limit=5', { key: k }));
		assert.deepEqual(all.map((x) => x.event), evs.data.map((e) => e.id));
		const p1 = expectOk(await deliveriesPage(we.id, 'limit=2', k));
		assert.deepEqual(p1.data, all.slice(0, 2));
		assert.equal(p1.has_more, true);
		const p2 = expectOk(await deliveriesPage(we.id,
		    `limit=2&starting_after=${all[1].id}`, k));
		assert.deepEqual(p2.data, all.slice(2, 4));
		const p3 = expectOk(await deliveriesPage(we.id,
		    `limit=2&ending_before=${all[4].id}`, k));
		assert.deepEqual(p3.data, all.slice(2, 4));
		expectError(await deliveriesPage(we.id, 'limit=0', k), 400,
		    'invalid_request_error', 'parameter_invalid', 'limit');
		// Only this endpoint's deliveries, only to its account.
		expectError(await deliveriesPage(we.id, '', acct.testKey), 404,
		    'invalid_request_error', 'resource_missing', 'id');
		const we2 = await endpoint(await receiver(), k);
		assert.deepEqual(expectOk(await deliveriesPage(we2.id, '', k)).data,
		    []);
	} finally {
		await rcv.close();
	}
});
