// The official `stripe` npm package, pointed at our host with its `host`,
// `port` and `protocol` options, against the Customers API (issue 2:
// "creates, retrieves, updates, lists (with auto-pagination), searches and
// deletes customers, and its error classes see our errors correctly").
//
// What stripe-node (pinned in tests/package.json) puts on the wire, so a
// failure here can be read against API.md "Requests":
//   - every request form-encoded, brackets left literal (metadata[k]=v,
//     created[gt]=N, expand[0]=x), spaces as %20, ' ( ) ! * escaped;
//     null is sent as an empty value (phone=), {} and [] not at all;
//   - GET and DELETE: params in the query, Content-Type
//     application/x-www-form-urlencoded, no body, no Content-Length;
//   - every POST carries an Idempotency-Key (stripe-node-retry-<uuid>)
//     unless the caller gives one, even with maxNetworkRetries 0;
//   - errors are classed by HTTP status (400/404 invalid request, 401
//     authentication, 403 permission, 429 rate limit, anything else,
//     409 included, StripeAPIError); err.rawType is the body's type.

import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { env, newAccount, newKey } from '../lib/stack.mjs';
import { rejection } from '../lib/sdk.mjs';

const API_URL = (env.PESASWAP_API_URL ?? 'http://127.0.0.1:8080')
    .replace(/\/+$/, '');
const HTTPS_URL = env.PESASWAP_HTTPS_URL?.replace(/\/+$/, '');

const ID_RE = /^cust_[0-9A-Za-z]{16}$/;
const REQ_RE = /^req_[0-9A-Za-z]+$/;

// "http://127.0.0.1:8080" -> { host, port, protocol } as stripe takes them.
function hostOptions(url) {
	const u = new URL(url);
	const protocol = u.protocol.replace(/:$/, '');
	return {
		host: u.hostname,
		port: Number(u.port || (protocol === 'https' ? 443 : 80)),
		protocol,
	};
}

// A client on our host. Retries off unless asked: the tests below count
// requests, and a retried 4xx would hide a missing Stripe-Should-Retry.
function client(key, extra = {}) {
	return new Stripe(key, {
		...hostOptions(API_URL),
		maxNetworkRetries: 0,
		telemetry: false,
		timeout: 15000,
		...extra,
	});
}

// Counts the HTTP requests a client sends (retries included).
function countRequests(stripe) {
	const seen = [];
	stripe.on('request', (ev) => seen.push(ev));
	return seen;
}

const run = randomBytes(4).toString('hex');	// unique per run
let n = 0;
const email = (tag = 'c') => `${tag}.${run}.${++n}@example.com`;

// What every one of our error answers looks like through the SDK.
function assertOurError(err, { cls, status, type, code, param }) {
	assert.ok(err instanceof Stripe.errors.StripeError,
	    `not a StripeError: ${err?.stack ?? err}`);
	assert.ok(err instanceof cls,
	    `${err.constructor.name} (${err.statusCode} ${err.rawType}/` +
	    `${err.code}: ${err.message}) is not ${cls.name}`);
	assert.equal(err.type, cls.name);
	assert.equal(err.statusCode, status);
	assert.equal(err.rawType, type);
	assert.equal(err.code, code);
	if (param === undefined)
		assert.equal(err.param, undefined);
	else
		assert.equal(err.param, param);
	assert.equal(typeof err.message, 'string');
	assert.ok(err.message.length > 0);
	// Request-Id header and the body's request_id agree.
	assert.match(err.requestId ?? '', REQ_RE);
	assert.equal(err.raw.request_id, err.requestId);
	if (status >= 400 && status < 500 && status !== 429)
		assert.equal(err.headers['stripe-should-retry'], 'false');
}

let account;	// this file's own account: { id, testKey, liveKey }
let stripe;	// test-mode secret key
let live;	// live-mode secret key

before(async () => {
	account = await newAccount(`sdk-customers-${run}`);
	stripe = client(account.testKey);
	live = client(account.liveKey);
});

describe('create', () => {
	test('the seed SaaS example: name, email and metadata { user_id }',
	    async () => {
		const user = { name: 'Jane Signup', email: email('saas'),
		    id: 4242 };
		const customer = await stripe.customers.create({
			name: user.name,
			email: user.email,
			metadata: { user_id: user.id },
		});
		assert.match(customer.id, ID_RE);
		assert.equal(customer.object, 'customer');
		assert.equal(customer.name, 'Jane Signup');
		assert.equal(customer.email, user.email);
		assert.equal(customer.phone, null);
		// Form values are strings: the number arrives as "4242".
		assert.deepEqual(customer.metadata, { user_id: '4242' });
		assert.ok(Number.isInteger(customer.created));
		assert.equal(customer.updated, customer.created);
		assert.ok(Math.abs(customer.created - Date.now() / 1000) < 300);
		assert.equal(customer.livemode, false);
		for (const k of ['id', 'object', 'name', 'email', 'phone',
		    'metadata', 'created', 'updated', 'livemode'])
			assert.ok(k in customer, `no "${k}" in the customer`);
		assert.equal(customer.lastResponse.statusCode, 200);
		assert.match(customer.lastResponse.requestId, REQ_RE);
	});

	test('the seed service-provider example: metadata company and ' +
	    'contract_id', async () => {
		const mail = `accounting.${run}@acme.com`;
		const customer = await stripe.customers.create({
			name: 'Acme Corporation',
			email: mail,
			metadata: {
				company: 'Acme Corporation',
				contract_id: 'CONTRACT_2024_001',
			},
		});
		assert.match(customer.id, ID_RE);
		assert.equal(customer.name, 'Acme Corporation');
		assert.equal(customer.email, mail);
		assert.deepEqual(customer.metadata, {
			company: 'Acme Corporation',
			contract_id: 'CONTRACT_2024_001',
		});
	});

	test('the seed e-commerce example: a phone with spaces and dashes ' +
	    'comes back in E.164', async () => {
		const customer = await stripe.customers.create({
			name: 'Checkout Shopper',
			email: email('shop'),
			phone: '+254 712-345-678',
		});
		assert.equal(customer.phone, '+254712345678');
		assert.deepEqual(customer.metadata, {});
	});

	test('names and metadata with spaces, quotes, & and non-ASCII ' +
	    'survive the form encoding', async () => {
		const name = "Zoë O'Brien & Sons (Nairobi) * 100%!";
		const customer = await stripe.customers.create({
			name,
			email: email('enc'),
			metadata: { 'order ref': 'a&b=c+d', 'ключ': 'значение' },
		});
		assert.equal(customer.name, name);
		assert.deepEqual(customer.metadata,
		    { 'order ref': 'a&b=c+d', 'ключ': 'значение' });
		const again = await stripe.customers.retrieve(customer.id);
		assert.equal(again.name, name);
	});

	test('an explicit null phone (sent as "phone=") means no phone',
	    async () => {
		const customer = await stripe.customers.create({
			name: 'No Phone', email: email('nophone'), phone: null,
		});
		assert.equal(customer.phone, null);
	});

	test('expand[0]=... that Stripe code sends is accepted and ignored',
	    async () => {
		const customer = await stripe.customers.create({
			name: 'Expander', email: email('expand'),
			expand: ['default_source'],
		});
		assert.match(customer.id, ID_RE);
	});
});

describe('retrieve, update, delete', () => {
	test('retrieve returns the created customer', async () => {
		const created = await stripe.customers.create({
			name: 'Retrieve Me', email: email('get'),
			phone: '+14155550100', metadata: { tier: 'gold' },
		});
		const got = await stripe.customers.retrieve(created.id);
		assert.deepEqual({ ...got }, { ...created });
		assert.equal(got.lastResponse.statusCode, 200);
	});

	test('update (POST /v1/customers/:id) changes the fields sent and ' +
	    'keeps the others', async () => {
		const mail = email('upd');
		const created = await stripe.customers.create({
			name: 'Before Update', email: mail,
			phone: '+14155550101', metadata: { a: '1' },
		});
		const updated = await stripe.customers.update(created.id,
		    { name: 'After Update' });
		assert.equal(updated.id, created.id);
		assert.equal(updated.name, 'After Update');
		assert.equal(updated.email, mail);
		assert.equal(updated.phone, '+14155550101');
		assert.deepEqual(updated.metadata, { a: '1' });
		assert.equal(updated.created, created.created);
		assert.ok(updated.updated >= created.updated);
		const got = await stripe.customers.retrieve(created.id);
		assert.deepEqual({ ...got }, { ...updated });
	});

	test('update metadata: a key set to "" is removed, others merge',
	    async () => {
		const created = await stripe.customers.create({
			name: 'Meta Merge', email: email('meta'),
			metadata: { keep: 'yes', drop: 'bye', change: 'old' },
		});
		const updated = await stripe.customers.update(created.id, {
			metadata: { drop: '', change: 'new', add: 'hi' },
		});
		assert.deepEqual(updated.metadata,
		    { keep: 'yes', change: 'new', add: 'hi' });
	});

	test('update metadata: a key set to null (sent as "metadata[k]=") ' +
	    'is removed', async () => {
		const created = await stripe.customers.create({
			name: 'Meta Null', email: email('metanull'),
			metadata: { keep: 'yes', drop: 'bye' },
		});
		const updated = await stripe.customers.update(created.id,
		    { metadata: { drop: null } });
		assert.deepEqual(updated.metadata, { keep: 'yes' });
	});

	test('update metadata: "" (sent as "metadata=") clears all keys',
	    async () => {
		const created = await stripe.customers.create({
			name: 'Meta Clear', email: email('metaclear'),
			metadata: { a: '1', b: '2' },
		});
		const updated = await stripe.customers.update(created.id,
		    { metadata: '' });
		assert.deepEqual(updated.metadata, {});
	});

	test('update phone null (sent as "phone=") removes the phone',
	    async () => {
		const created = await stripe.customers.create({
			name: 'Phone Drop', email: email('phonedrop'),
			phone: '+14155550102',
		});
		const updated = await stripe.customers.update(created.id,
		    { phone: null });
		assert.equal(updated.phone, null);
	});

	test('update of an unknown id is StripeInvalidRequestError 404',
	    async () => {
		const err = await rejection(stripe.customers.update(
		    'cust_0000000000000000', { name: 'Nobody' }));
		assertOurError(err, { cls: Stripe.errors.StripeInvalidRequestError,
		    status: 404, type: 'invalid_request_error',
		    code: 'resource_missing', param: 'id' });
	});

	test('del returns { id, object: "customer", deleted: true }',
	    async () => {
		const created = await stripe.customers.create({
			name: 'Delete Me', email: email('del'),
		});
		const deleted = await stripe.customers.del(created.id);
		assert.deepEqual({ ...deleted },
		    { id: created.id, object: 'customer', deleted: true });
	});

	test('retrieve after delete is StripeInvalidRequestError 404 ' +
	    'resource_missing', async () => {
		const created = await stripe.customers.create({
			name: 'Gone Soon', email: email('gone'),
		});
		await stripe.customers.del(created.id);
		const err = await rejection(stripe.customers.retrieve(created.id));
		assertOurError(err, { cls: Stripe.errors.StripeInvalidRequestError,
		    status: 404, type: 'invalid_request_error',
		    code: 'resource_missing', param: 'id' });
		assert.ok(err.message.includes(created.id), err.message);
	});

	test('a second delete is StripeInvalidRequestError 404', async () => {
		const created = await stripe.customers.create({
			name: 'Twice Deleted', email: email('twice'),
		});
		await stripe.customers.del(created.id);
		const err = await rejection(stripe.customers.del(created.id));
		assertOurError(err, { cls: Stripe.errors.StripeInvalidRequestError,
		    status: 404, type: 'invalid_request_error',
		    code: 'resource_missing', param: 'id' });
	});

	test('a deleted customer\'s email can be used again', async () => {
		const mail = email('reuse');
		const first = await stripe.customers.create({
			name: 'First Owner', email: mail,
		});
		await stripe.customers.del(first.id);
		const second = await stripe.customers.create({
			name: 'Second Owner', email: mail,
		});
		assert.notEqual(second.id, first.id);
	});
});

describe('errors', () => {
	test('duplicate email (other case) throws 409 ' +
	    'resource_already_exists with raw.existing_id', async () => {
		const mail = email('dup');
		const first = await stripe.customers.create({
			name: 'Original', email: mail,
		});
		const err = await rejection(stripe.customers.create({
			name: 'Copy', email: mail.toUpperCase(),
		}));
		// stripe-node classes by status: a 409 is StripeAPIError.
		assertOurError(err, { cls: Stripe.errors.StripeAPIError,
		    status: 409, type: 'invalid_request_error',
		    code: 'resource_already_exists', param: 'email' });
		assert.equal(err.raw.existing_id, first.id);
	});

	test('updating to another customer\'s email throws 409 with ' +
	    'existing_id', async () => {
		const a = await stripe.customers.create({
			name: 'Holder', email: email('holder'),
		});
		const b = await stripe.customers.create({
			name: 'Mover', email: email('mover'),
		});
		const err = await rejection(stripe.customers.update(b.id,
		    { email: a.email }));
		assertOurError(err, { cls: Stripe.errors.StripeAPIError,
		    status: 409, type: 'invalid_request_error',
		    code: 'resource_already_exists', param: 'email' });
		assert.equal(err.raw.existing_id, a.id);
		const still = await stripe.customers.retrieve(b.id);
		assert.equal(still.email, b.email);
	});

	test('a 409 is not retried by a client with retries on ' +
	    '(Stripe-Should-Retry: false)', async () => {
		const mail = email('noretry');
		await stripe.customers.create({ name: 'Once', email: mail });
		const retrying = client(account.testKey,
		    { maxNetworkRetries: 2 });
		const sent = countRequests(retrying);
		const err = await rejection(retrying.customers.create({
			name: 'Twice', email: mail,
		}));
		assert.equal(err.statusCode, 409);
		assert.equal(sent.length, 1,
		    'the SDK retried: Stripe-Should-Retry: false missing');
	});

	test('invalid email is StripeInvalidRequestError email_invalid ' +
	    'param email', async () => {
		const err = await rejection(stripe.customers.create({
			name: 'Bad Mail', email: 'not-an-email',
		}));
		assertOurError(err, { cls: Stripe.errors.StripeInvalidRequestError,
		    status: 400, type: 'invalid_request_error',
		    code: 'email_invalid', param: 'email' });
	});

	test('missing email is StripeInvalidRequestError parameter_missing',
	    async () => {
		const err = await rejection(stripe.customers.create({
			name: 'No Mail',
		}));
		assertOurError(err, { cls: Stripe.errors.StripeInvalidRequestError,
		    status: 400, type: 'invalid_request_error',
		    code: 'parameter_missing', param: 'email' });
	});

	test('a Stripe-only parameter (balance) is parameter_unknown',
	    async () => {
		const err = await rejection(stripe.customers.create({
			name: 'Extra', email: email('extra'),
			balance: 500,
		}));
		assertOurError(err, { cls: Stripe.errors.StripeInvalidRequestError,
		    status: 400, type: 'invalid_request_error',
		    code: 'parameter_unknown', param: 'balance' });
	});

	test('a body over the limit is a JSON 413 body_too_large, not ' +
	    '"Invalid JSON received"', async () => {
		const metadata = { big: 'x'.repeat(70000) };
		const err = await rejection(stripe.customers.create({
			name: 'Too Big', email: email('big'), metadata,
		}));
		// nginx or the workers answer; either way the SDK must get
		// our envelope (a 413 is classed StripeAPIError by status).
		assertOurError(err, { cls: Stripe.errors.StripeAPIError,
		    status: 413, type: 'invalid_request_error',
		    code: 'body_too_large' });
	});

	test('a bad key is StripeAuthenticationError 401', async () => {
		const bad = client('sk_test_' + 'x'.repeat(32));
		const err = await rejection(bad.customers.list({ limit: 1 }));
		assertOurError(err, { cls: Stripe.errors.StripeAuthenticationError,
		    status: 401, type: 'authentication_error',
		    code: 'api_key_invalid' });
	});

	test('a restricted customers:read key lists but creating is ' +
	    'StripePermissionError 403', async () => {
		const { key } = await newKey(account, 'test', ['customers:read']);
		assert.match(key, /^rk_test_/);
		const reader = client(key);
		const page = await reader.customers.list({ limit: 1 });
		assert.equal(page.object, 'list');
		const err = await rejection(reader.customers.create({
			name: 'Not Allowed', email: email('perm'),
		}));
		assertOurError(err, { cls: Stripe.errors.StripePermissionError,
		    status: 403, type: 'permission_error',
		    code: 'permission_denied' });
	});
});

describe('idempotency', () => {
	test('the idempotencyKey option replays the same customer and ' +
	    'creates one', async () => {
		const mail = email('idem');
		const key = `sdk-idem-${run}-${n}`;
		const params = { name: 'Idem Potent', email: mail,
		    metadata: { try: 'x' } };
		const first = await stripe.customers.create(params,
		    { idempotencyKey: key });
		const second = await stripe.customers.create(params,
		    { idempotencyKey: key });
		assert.deepEqual({ ...second }, { ...first });
		assert.equal(
		    second.lastResponse.headers['idempotent-replayed'], 'true');
		const found = await stripe.customers.list({ email: mail });
		assert.equal(found.data.length, 1);
		assert.equal(found.data[0].id, first.id);
	});

	test('the same idempotencyKey with other params is an ' +
	    'idempotency_error 409', async () => {
		const key = `sdk-idem-reuse-${run}`;
		await stripe.customers.create(
		    { name: 'Key Owner', email: email('reuse1') },
		    { idempotencyKey: key });
		const mail2 = email('reuse2');
		const err = await rejection(stripe.customers.create(
		    { name: 'Key Thief', email: mail2 },
		    { idempotencyKey: key }));
		// 409 → StripeAPIError in stripe-node; only a 400/404 with
		// type idempotency_error becomes StripeIdempotencyError.
		assertOurError(err, { cls: Stripe.errors.StripeAPIError,
		    status: 409, type: 'idempotency_error',
		    code: 'idempotency_key_reused' });
		const found = await stripe.customers.list({ email: mail2 });
		assert.equal(found.data.length, 0);
	});

	test('del with an idempotencyKey replays { deleted: true } instead ' +
	    'of a 404', async () => {
		const c = await stripe.customers.create({
			name: 'Delete Once', email: email('idemdel'),
		});
		const key = `sdk-idem-del-${run}`;
		const first = await stripe.customers.del(c.id, undefined,
		    { idempotencyKey: key });
		const again = await stripe.customers.del(c.id, undefined,
		    { idempotencyKey: key });
		assert.deepEqual({ ...again }, { ...first });
		assert.equal(again.lastResponse.headers['idempotent-replayed'],
		    'true');
	});

	test('an idempotencyKey on a GET is ignored, not an error',
	    async () => {
		const c = await stripe.customers.create({
			name: 'Read Key', email: email('idemget'),
		});
		const got = await stripe.customers.retrieve(c.id, undefined,
		    { idempotencyKey: `sdk-idem-get-${run}` });
		assert.equal(got.id, c.id);
	});

	test('the automatic Idempotency-Key on every POST does not make ' +
	    'two equal updates collide', async () => {
		const c = await stripe.customers.create({
			name: 'Auto Key', email: email('autokey'),
		});
		const a = await stripe.customers.update(c.id, { name: 'Same' });
		const b = await stripe.customers.update(c.id, { name: 'Same' });
		assert.equal(a.name, 'Same');
		assert.equal(b.name, 'Same');
		assert.equal(b.lastResponse.headers['idempotent-replayed'],
		    undefined);
	});
});

describe('modes', () => {
	test('a live key creates livemode objects the test key cannot see',
	    async () => {
		const mail = email('live');
		const liveCust = await live.customers.create({
			name: 'Live One', email: mail,
		});
		assert.equal(liveCust.livemode, true);
		assert.match(liveCust.id, ID_RE);
		// The same email is free in test mode.
		const testCust = await stripe.customers.create({
			name: 'Test One', email: mail,
		});
		assert.equal(testCust.livemode, false);

		const err = await rejection(stripe.customers.retrieve(liveCust.id));
		assertOurError(err, { cls: Stripe.errors.StripeInvalidRequestError,
		    status: 404, type: 'invalid_request_error',
		    code: 'resource_missing', param: 'id' });
		const err2 = await rejection(live.customers.retrieve(testCust.id));
		assert.equal(err2.statusCode, 404);

		const inTest = await stripe.customers.list({ email: mail });
		assert.deepEqual(inTest.data.map((c) => c.id), [testCust.id]);
		const inLive = await live.customers.list({ email: mail });
		assert.deepEqual(inLive.data.map((c) => c.id), [liveCust.id]);
		const all = await live.customers.list({ limit: 100 })
		    .autoPagingToArray({ limit: 10000 });
		assert.ok(all.every((c) => c.livemode === true));
		assert.ok(!all.some((c) => c.id === testCust.id));
	});
});

// Listing and search on an account of their own, so the totals are exact.
describe('list and search', () => {
	const TOTAL = 25;
	const tag = `Zq${run}`;	// in every name here, not elsewhere
	let own;
	let sdk;
	const made = [];	// in creation order

	before(async () => {
		own = await newAccount(`sdk-list-${run}`);
		sdk = client(own.testKey);
		for (let i = 0; i < TOTAL; i++)
			made.push(await sdk.customers.create({
				name: `${tag} Person ${String(i).padStart(2, '0')}`,
				email: `list${i}.${run}@example.org`,
				metadata: { idx: String(i), parity: i % 2 ? 'odd' : 'even' },
			}));
	});

	test('list with limit: one page, newest first, has_more', async () => {
		const page = await sdk.customers.list({ limit: 10 });
		assert.equal(page.object, 'list');
		assert.equal(page.url, '/v1/customers');
		assert.equal(page.has_more, true);
		assert.deepEqual(page.data.map((c) => c.id),
		    made.slice(-10).reverse().map((c) => c.id));
	});

	test('autoPagingToArray walks every page (starting_after) and ' +
	    'returns each customer once, newest first', async () => {
		const counted = client(own.testKey);
		const sent = countRequests(counted);
		const all = await counted.customers.list({ limit: 7 })
		    .autoPagingToArray({ limit: 1000 });
		const ids = all.map((c) => c.id);
		assert.equal(new Set(ids).size, ids.length, 'an id repeats');
		assert.deepEqual(ids, made.map((c) => c.id).reverse());
		// 7 + 7 + 7 + 4: the last page says has_more false.
		assert.equal(sent.length, 4);
		assert.ok(sent.slice(1).every((ev) =>
		    /[?&]starting_after=cust_/.test(ev.path)));
	});

	test('autoPagingEach with ending_before walks toward the newest',
	    async () => {
		const seen = [];
		await sdk.customers.list({ limit: 4, ending_before: made[0].id })
		    .autoPagingEach((c) => { seen.push(c.id); });
		// The SDK reads each page from its end: creation order.
		assert.deepEqual(seen, made.slice(1).map((c) => c.id));
	});

	test('async iteration with break stops early', async () => {
		const seen = [];
		for await (const c of sdk.customers.list({ limit: 3 })) {
			seen.push(c.id);
			if (seen.length === 5)
				break;
		}
		assert.deepEqual(seen,
		    made.slice(-5).reverse().map((c) => c.id));
	});

	test('list email filter is exact and case-insensitive', async () => {
		const page = await sdk.customers.list(
		    { email: made[3].email.toUpperCase() });
		assert.deepEqual(page.data.map((c) => c.id), [made[3].id]);
		assert.equal(page.has_more, false);
	});

	test('list created[gte] (sent as created[gte]=N) filters', async () => {
		const future = made[made.length - 1].created + 3600;
		const page = await sdk.customers.list({ created: { gte: future } });
		assert.deepEqual(page.data, []);
		assert.equal(page.has_more, false);
		const past = await sdk.customers.list(
		    { created: { gte: made[0].created }, limit: 100 });
		assert.equal(past.data.length, TOTAL);
	});

	test('search email:\'...\' finds exactly that customer', async () => {
		const res = await sdk.customers.search(
		    { query: `email:'${made[5].email}'` });
		assert.equal(res.object, 'search_result');
		assert.equal(res.url, '/v1/customers/search');
		assert.equal(res.has_more, false);
		assert.equal(res.next_page, null);
		assert.deepEqual(res.data.map((c) => c.id), [made[5].id]);
		assert.deepEqual({ ...res.data[0] }, { ...made[5] });
	});

	test('search name~\'...\' finds the substring matches', async () => {
		const res = await sdk.customers.search(
		    { query: `name~'${tag} Person 1'`, limit: 100 });
		const want = made.filter((c) => c.name.includes(`${tag} Person 1`))
		    .map((c) => c.id).sort();
		assert.equal(want.length, 10);	// 10..19
		assert.deepEqual(res.data.map((c) => c.id).sort(), want);
	});

	test('search auto-pagination follows next_page and returns each ' +
	    'match once', async () => {
		const counted = client(own.testKey);
		const sent = countRequests(counted);
		const all = await counted.customers.search(
		    { query: `metadata['parity']:'odd' AND name~'${tag}'`,
		      limit: 5 })
		    .autoPagingToArray({ limit: 1000 });
		const ids = all.map((c) => c.id);
		assert.equal(new Set(ids).size, ids.length, 'an id repeats');
		assert.deepEqual([...ids].sort(), made.filter((c, i) => i % 2)
		    .map((c) => c.id).sort());
		// 12 matches in pages of 5: 3 requests, the later ones with page.
		assert.equal(sent.length, 3);
		assert.ok(sent.slice(1).every((ev) => /[?&]page=/.test(ev.path)));
	});

	test('search finds a customer created a moment ago', async () => {
		const fresh = await sdk.customers.create({
			name: `${tag} Fresh`, email: `fresh.${run}@example.org`,
		});
		const res = await sdk.customers.search(
		    { query: `email:'fresh.${run}@example.org'` });
		assert.deepEqual(res.data.map((c) => c.id), [fresh.id]);
		await sdk.customers.del(fresh.id);
		const after = await sdk.customers.search(
		    { query: `email:'fresh.${run}@example.org'` });
		assert.deepEqual(after.data, []);
	});

	test('a malformed search query is StripeInvalidRequestError ' +
	    'parameter_invalid query', async () => {
		const err = await rejection(sdk.customers.search(
		    { query: "email:'unterminated" }));
		assertOurError(err, { cls: Stripe.errors.StripeInvalidRequestError,
		    status: 400, type: 'invalid_request_error',
		    code: 'parameter_invalid', param: 'query' });
		assert.match(err.message, /at position \d+/);
	});
});

describe('https', () => {
	test('the SDK works over HTTPS through nginx', { skip: !HTTPS_URL &&
	    'PESASWAP_HTTPS_URL not set' }, async () => {
		// The stack's self-signed certificate (SAN localhost and
		// 127.0.0.1) is trusted when we can read it; otherwise the test
		// is about the protocol only.
		const certFile = env.PESASWAP_TLS_CERT ??
		    (env.PESASWAP_VAR && join(env.PESASWAP_VAR, 'tls', 'cert.pem'));
		const agent = new https.Agent({ keepAlive: true,
		    ...(certFile && existsSync(certFile) ?
		    { ca: readFileSync(certFile) } :
		    { rejectUnauthorized: false }) });
		const tls = new Stripe(account.testKey, {
			...hostOptions(HTTPS_URL),
			httpAgent: agent,
			maxNetworkRetries: 0,
			telemetry: false,
			timeout: 15000,
		});
		const c = await tls.customers.create({
			name: 'Over TLS', email: email('tls'),
		});
		const got = await tls.customers.retrieve(c.id);
		assert.equal(got.id, c.id);
		agent.destroy();
	});
});

describe("Stripe's customer fields (issue 15)", () => {
	const address = { line1: '1 Moi Avenue', line2: null, city: 'Nairobi',
	    state: null, postal_code: '00100', country: 'KE' };

	test('create, retrieve and update round-trip every field', async () => {
		const c = await stripe.customers.create({
			name: 'Fields SDK', email: email('fields'),
			description: 'Through stripe-node',
			address: { line1: '1 Moi Avenue', city: 'Nairobi',
			    postal_code: '00100', country: 'ke' },
			shipping: { name: 'Depot', phone: '+254 700 000 321',
			    address: { line1: 'Dock 4', country: 'KE' } },
			preferred_locales: ['sw-KE', 'en'],
			invoice_prefix: 'SDK42',
			tax_id_data: [{ type: 'ke_pin', value: 'P051234567X' }],
		});
		assert.equal(c.description, 'Through stripe-node');
		assert.deepEqual(c.address, address);
		assert.deepEqual(c.shipping, { name: 'Depot',
		    phone: '+254700000321', address: { line1: 'Dock 4',
		    line2: null, city: null, state: null, postal_code: null,
		    country: 'KE' } });
		assert.deepEqual(c.preferred_locales, ['sw-KE', 'en']);
		assert.equal(c.invoice_prefix, 'SDK42');
		const got = await stripe.customers.retrieve(c.id);
		assert.deepEqual({ ...got }, { ...c });
		const u = await stripe.customers.update(c.id, {
			description: '', address: '', shipping: '',
			preferred_locales: '',
		});
		assert.equal(u.description, null);
		assert.equal(u.address, null);
		assert.equal(u.shipping, null);
		assert.deepEqual(u.preferred_locales, []);
		assert.equal(u.invoice_prefix, 'SDK42');
	});

	test('tax ids through createTaxId, listTaxIds, retrieveTaxId, ' +
	    'deleteTaxId', async () => {
		const c = await stripe.customers.create({
			name: 'Tax SDK', email: email('taxsdk'),
		});
		const t = await stripe.customers.createTaxId(c.id,
		    { type: 'eu_vat', value: 'FR12345678901' });
		assert.equal(t.object, 'tax_id');
		assert.equal(t.country, 'FR');
		assert.deepEqual({ ...(await stripe.customers.retrieveTaxId(c.id,
		    t.id)) }, { ...t });
		const ids = [];
		for await (const x of stripe.customers.listTaxIds(c.id))
			ids.push(x.id);
		assert.deepEqual(ids, [t.id]);
		const d = await stripe.customers.deleteTaxId(c.id, t.id);
		assert.equal(d.deleted, true);
		const e = await rejection(stripe.customers.createTaxId(c.id,
		    { type: 'us_ein', value: 'not-an-ein' }));
		assert.equal(e.type, 'StripeInvalidRequestError');
		assert.equal(e.param, 'value');
	});

	test('a bad country is StripeInvalidRequestError naming the param',
	    async () => {
		const e = await rejection(stripe.customers.create({
			name: 'Bad Country', email: email('badc'),
			address: { country: 'XQ' },
		}));
		assert.equal(e.type, 'StripeInvalidRequestError');
		assert.equal(e.param, 'address[country]');
	});

	test('retrieve of a deleted customer says it was deleted', async () => {
		const c = await stripe.customers.create({
			name: 'Deleted SDK', email: email('delsdk'),
		});
		await stripe.customers.del(c.id);
		const e = await rejection(stripe.customers.retrieve(c.id));
		assert.equal(e.statusCode, 404);
		assert.equal(e.code, 'resource_missing');
		assert.match(e.message, /deleted/);
		assert.equal(e.raw.deleted, true);
	});

	test('events.list filters by customer', async () => {
		const c = await stripe.customers.create({
			name: 'Events SDK', email: email('evsdk'),
		});
		await stripe.customers.update(c.id, { description: 'x' });
		const types = [];
		for await (const ev of stripe.events.list({ customer: c.id }))
			types.push(ev.type);
		assert.deepEqual(types, ['customer.updated', 'customer.created']);
	});
});
