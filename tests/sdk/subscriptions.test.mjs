// The official `stripe` npm package (pinned in tests/package.json) on our
// host for recurring billing (issue 5): prices, the seed's SaaS example
// (stripe.customers.create at sign-up, then
// stripe.subscriptions.create({customer, price: 'price_monthly_pro'})),
// Stripe's own items[0][price] form, cancel_at_period_end, cancel, lists
// with auto-pagination, errors, and test clocks through
// stripe.testHelpers.testClocks driving a renewal by pesaswap-jobs.
//
// The client talks to a small recording proxy on 127.0.0.1 that passes
// every request to the stack unchanged and keeps what was sent, so the
// tests can say what stripe-node 23.1.0 puts on the wire, and checks
// every answer against openapi.yaml (tests/lib/openapi.mjs). Found so:
//   - subscriptions.create({customer, price}) sends `customer=…&price=…`
//     (no items: the client passes unknown parameters through as they
//     are), and {customer, items: [{price}]} sends `items[0][price]=…`
//     with the brackets left literal;
//   - recurring: {interval} is sent as `recurring[interval]=month`, a
//     boolean as "true"/"false", numbers as digits;
//   - subscriptions.cancel(id) is DELETE /v1/subscriptions/:id, and
//     testHelpers.testClocks.del(id) DELETE …/test_clocks/:id, with no body.
import { test, before, after, afterEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { env, newAccount } from '../lib/stack.mjs';
import { checkResponse } from '../lib/openapi.mjs';
import { startJobs } from '../lib/jobs.mjs';
import { rejection } from '../lib/sdk.mjs';

const API = new URL((env.PESASWAP_API_URL ?? 'http://127.0.0.1:8080')
    .replace(/\/+$/, ''));
const SUB_RE = /^sub_[0-9A-Za-z]{16}$/;
const PRICE_RE = /^price_[0-9A-Za-z]{16}$/;
const DAY = 86400;
const utc = (y, m, d) => Date.UTC(y, m - 1, d) / 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --------------------------------------------------- the recording proxy

const exchanges = [];	// {method, path, headers, body, status, problem}
let proxy;		// the server
let proxyPort;

// Passes one request on to the stack as is and records it; the answer
// is checked against openapi.yaml on the way back.
function relay(req, res) {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks);
		const ex = { method: req.method, path: req.url,
		    headers: req.headers, body: body.toString('utf8') };
		exchanges.push(ex);
		const up = request({ host: API.hostname, port: API.port || 80,
		    method: req.method, path: req.url,
		    headers: { ...req.headers, host: API.host } }, (ans) => {
			const got = [];
			ans.on('data', (c) => got.push(c));
			ans.on('end', () => {
				const raw = Buffer.concat(got);
				const text = raw.toString('utf8');
				ex.status = ans.statusCode;
				let json;
				try {
					json = JSON.parse(text);
				} catch { /* checkResponse says so */ }
				try {
					checkResponse(req.method, req.url, { status:
					    ans.statusCode, headers: ans.headers, json,
					    text });
				} catch (e) {
					ex.problem = e.message;
				}
				res.writeHead(ans.statusCode, ans.headers);
				res.end(raw);
			});
		});
		up.on('error', (e) => {
			ex.problem = `proxy: ${e.message}`;
			res.writeHead(502);
			res.end();
		});
		up.end(body);
	});
}

// The exchanges since MARK (an index into exchanges), each checked.
function since(mark) {
	const out = exchanges.slice(mark);
	for (const ex of out)
		assert.equal(ex.problem, undefined,
		    `${ex.method} ${ex.path}: ${ex.problem}`);
	return out;
}

// A client through the proxy; retries off, as in customers.test.mjs.
function client(key) {
	return new Stripe(key, { host: '127.0.0.1', port: proxyPort,
	    protocol: 'http', maxNetworkRetries: 0, telemetry: false,
	    timeout: 15000 });
}

function assertInvalid(err, status, code, param) {
	assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError,
	    `${err?.constructor?.name}: ${err?.message}`);
	assert.equal(err.statusCode, status);
	assert.equal(err.rawType, 'invalid_request_error');
	assert.equal(err.code, code);
	assert.equal(err.param, param);
	assert.match(err.requestId ?? '', /^req_[0-9A-Za-z]+$/);
}

// The body of a form POST as [name, value] pairs, decoded.
const pairs = (body) => [...new URLSearchParams(body)];

const run = randomBytes(4).toString('hex');
let n = 0;
const email = (tag) => `${tag}.${run}.${++n}@example.com`;

let account;	// this file's account
let stripe;	// its test key
let live;	// its live key
let pro;	// the price with lookup_key price_monthly_pro

before(async () => {
	proxy = createServer(relay);
	await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	proxyPort = proxy.address().port;
	account = await newAccount(`sdk-subscriptions-${run}`);
	stripe = client(account.testKey);
	live = client(account.liveKey);
	pro = await stripe.prices.create({ unit_amount: 2900, currency: 'usd',
	    recurring: { interval: 'month' }, lookup_key: 'price_monthly_pro',
	    nickname: 'Pro monthly' });
	await startJobs();
});
// Every answer of every test matches openapi.yaml.
let checked = 0;
afterEach(() => {
	const mark = checked;
	checked = exchanges.length;
	since(mark);
});
after(async () => {
	proxy.closeAllConnections?.();
	await new Promise((resolve) => proxy.close(resolve));
	await startJobs();
});

describe('prices', () => {
	test('prices.create sends recurring[interval] and answers the price',
	    async () => {
		const mark = exchanges.length;
		const p = await stripe.prices.create({ unit_amount: 500,
		    currency: 'EUR', recurring: { interval: 'week',
		    interval_count: 2 }, metadata: { team: 'growth' } });
		assert.match(p.id, PRICE_RE);
		assert.equal(p.object, 'price');
		assert.equal(p.unit_amount, 500);
		assert.equal(p.currency, 'eur');
		assert.deepEqual(p.recurring, { interval: 'week',
		    interval_count: 2 });
		assert.equal(p.type, 'recurring');
		assert.equal(p.active, true);
		assert.deepEqual(p.metadata, { team: 'growth' });
		const [ex] = since(mark);
		assert.equal(ex.method, 'POST');
		assert.equal(ex.path, '/v1/prices');
		assert.deepEqual(pairs(ex.body), [['unit_amount', '500'],
		    ['currency', 'EUR'], ['recurring[interval]', 'week'],
		    ['recurring[interval_count]', '2'],
		    ['metadata[team]', 'growth']]);
	});

	test('prices.retrieve and prices.update({active: false})', async () => {
		const p = await stripe.prices.create({ unit_amount: 100,
		    currency: 'usd', recurring: { interval: 'day' } });
		const got = await stripe.prices.retrieve(p.id);
		assert.deepEqual({ ...got }, { ...p });
		const mark = exchanges.length;
		const off = await stripe.prices.update(p.id, { active: false });
		assert.equal(off.active, false);
		assert.equal(since(mark)[0].body, 'active=false');
	});

	test('prices.list auto-pagination walks every price once', async () => {
		const made = [];
		for (let i = 0; i < 5; i++)
			made.push((await stripe.prices.create({ unit_amount: 10 + i,
			    currency: 'usd', recurring: { interval: 'month' } })).id);
		const seen = await stripe.prices.list({ limit: 2 })
		    .autoPagingToArray({ limit: 1000 });
		const ids = seen.map((p) => p.id);
		assert.equal(new Set(ids).size, ids.length, 'a price came twice');
		for (const id of [...made, pro.id])
			assert.ok(ids.includes(id), `${id} not listed`);
	});

	test('a duplicate lookup_key is StripeInvalidRequestError', async () => {
		const err = await rejection(stripe.prices.create({ unit_amount: 1,
		    currency: 'usd', recurring: { interval: 'month' },
		    lookup_key: 'price_monthly_pro' }));
		assertInvalid(err, 400, 'parameter_invalid', 'lookup_key');
	});
});

describe('subscriptions', () => {
	test('the seed SaaS example: customers.create at sign-up, then ' +
	    'subscriptions.create({customer, price: "price_monthly_pro"})',
	    async () => {
		const user = { name: 'Jane Signup', email: email('saas'), id: 4242 };
		const customer = await stripe.customers.create({
			name: user.name,
			email: user.email,
			metadata: { user_id: user.id },
		});
		const mark = exchanges.length;
		const subscription = await stripe.subscriptions.create({
			customer: customer.id,
			price: 'price_monthly_pro',
		});
		assert.match(subscription.id, SUB_RE);
		assert.equal(subscription.object, 'subscription');
		assert.equal(subscription.customer, customer.id);
		assert.equal(subscription.price, pro.id);
		assert.equal(subscription.status, 'active');
		assert.equal(subscription.cancel_at_period_end, false);
		assert.equal(subscription.livemode, false);
		assert.equal(subscription.lastResponse.statusCode, 200);
		// what 23.1.0 sends for it: the seed's `price` as is, no items
		const [ex] = since(mark);
		assert.equal(ex.method, 'POST');
		assert.equal(ex.path, '/v1/subscriptions');
		assert.match(ex.headers['content-type'],
		    /^application\/x-www-form-urlencoded/);
		assert.deepEqual(pairs(ex.body), [['customer', customer.id],
		    ['price', 'price_monthly_pro']]);
		assert.match(ex.headers['idempotency-key'] ?? '', /.+/,
		    'stripe-node sends an Idempotency-Key on every POST');
	});

	test('subscriptions.create with items: [{price}] sends ' +
	    'items[0][price]', async () => {
		const customer = await stripe.customers.create({ name: 'Items',
		    email: email('items') });
		const mark = exchanges.length;
		const s = await stripe.subscriptions.create({
			customer: customer.id,
			items: [{ price: pro.id }],
			payment_behavior: 'default_incomplete',
			metadata: { source: 'sdk' },
		});
		assert.equal(s.price, pro.id);
		assert.equal(s.status, 'incomplete');
		assert.match(s.latest_payment ?? '', /^pay_/);
		assert.deepEqual(s.metadata, { source: 'sdk' });
		const [ex] = since(mark);
		assert.ok(ex.body.includes(`items[0][price]=${pro.id}`),
		    `the body: ${ex.body}`);
		assert.deepEqual(pairs(ex.body), [['customer', customer.id],
		    ['items[0][price]', pro.id],
		    ['payment_behavior', 'default_incomplete'],
		    ['metadata[source]', 'sdk']]);
	});

	test('retrieve, update cancel_at_period_end, cancel', async () => {
		const customer = await stripe.customers.create({ name: 'Lifecycle',
		    email: email('life') });
		const s = await stripe.subscriptions.create({
		    customer: customer.id, price: pro.id });
		const got = await stripe.subscriptions.retrieve(s.id);
		assert.deepEqual({ ...got }, { ...s });
		let mark = exchanges.length;
		const u = await stripe.subscriptions.update(s.id,
		    { cancel_at_period_end: true });
		assert.equal(u.cancel_at_period_end, true);
		assert.equal(u.status, 'active');
		assert.equal(since(mark)[0].body, 'cancel_at_period_end=true');
		mark = exchanges.length;
		const c = await stripe.subscriptions.cancel(s.id);
		assert.equal(c.status, 'canceled');
		assert.ok(Number.isInteger(c.canceled_at));
		const [ex] = since(mark);
		assert.equal(ex.method, 'DELETE');
		assert.equal(ex.path, `/v1/subscriptions/${s.id}`);
		assert.equal(ex.body, '');
		const err = await rejection(stripe.subscriptions.cancel(s.id));
		assertInvalid(err, 400, 'parameter_invalid', err.param);
	});

	test('subscriptions.list with customer and status, auto-paginated',
	    async () => {
		const customer = await stripe.customers.create({ name: 'Lister',
		    email: email('list') });
		const made = [];
		for (let i = 0; i < 5; i++)
			made.push((await stripe.subscriptions.create({
			    customer: customer.id, price: pro.id })).id);
		await stripe.subscriptions.cancel(made[0]);
		const all = await stripe.subscriptions.list({
		    customer: customer.id, limit: 2 })
		    .autoPagingToArray({ limit: 100 });
		assert.deepEqual(all.map((s) => s.id), [...made].reverse());
		const active = await stripe.subscriptions.list({
		    customer: customer.id, status: 'active' })
		    .autoPagingToArray({ limit: 100 });
		assert.deepEqual(active.map((s) => s.id).sort(),
		    made.slice(1).sort());
	});

	test('an unknown price is resource_missing with the param it came in',
	    async () => {
		const customer = await stripe.customers.create({ name: 'Typo',
		    email: email('typo') });
		assertInvalid(await rejection(stripe.subscriptions.create({
		    customer: customer.id, price: 'price_monthly_prp' })), 400,
		    'resource_missing', 'price');
		assertInvalid(await rejection(stripe.subscriptions.create({
		    customer: customer.id, items: [{ price: 'price_nope' }] })),
		    400, 'resource_missing', 'items[0][price]');
	});

	test('a missing or unknown customer is StripeInvalidRequestError',
	    async () => {
		assertInvalid(await rejection(stripe.subscriptions.create({
		    price: pro.id })), 400, 'parameter_missing', 'customer');
		assertInvalid(await rejection(stripe.subscriptions.create({
		    customer: 'cust_ZZZZZZZZZZZZZZZZ', price: pro.id })), 400,
		    'resource_missing', 'customer');
	});

	test('live mode: processor_not_configured, nothing written', async () => {
		const p = await live.prices.create({ unit_amount: 100,
		    currency: 'usd', recurring: { interval: 'month' } });
		const customer = await live.customers.create({ name: 'Live',
		    email: email('live') });
		const err = await rejection(live.subscriptions.create({
		    customer: customer.id, price: p.id }));
		assertInvalid(err, 400, 'processor_not_configured', undefined);
		const l = await live.subscriptions.list({ customer: customer.id });
		assert.deepEqual(l.data, []);
	});
});

describe('test clocks', () => {
	test('testHelpers.testClocks create, retrieve, list, advance, del',
	    async () => {
		const c = await stripe.testHelpers.testClocks.create({
		    frozen_time: utc(2024, 1, 31), name: 'SDK clock' });
		assert.match(c.id, /^clock_[0-9A-Za-z]{16}$/);
		assert.equal(c.object, 'test_helpers.test_clock');
		assert.equal(c.frozen_time, utc(2024, 1, 31));
		assert.equal(c.status, 'ready');
		const got = await stripe.testHelpers.testClocks.retrieve(c.id);
		assert.deepEqual({ ...got }, { ...c });
		const listed = await stripe.testHelpers.testClocks.list()
		    .autoPagingToArray({ limit: 100 });
		assert.ok(listed.some((x) => x.id === c.id));
		const a = await stripe.testHelpers.testClocks.advance(c.id,
		    { frozen_time: utc(2024, 2, 1) });
		assert.equal(a.frozen_time, utc(2024, 2, 1));
		const err = await rejection(stripe.testHelpers.testClocks.advance(
		    c.id, { frozen_time: utc(2024, 1, 1) }));
		assertInvalid(err, 400, 'parameter_invalid', 'frozen_time');
		const mark = exchanges.length;
		const d = await stripe.testHelpers.testClocks.del(c.id);
		assert.deepEqual({ ...d }, { id: c.id,
		    object: 'test_helpers.test_clock', deleted: true });
		assert.equal(since(mark)[0].method, 'DELETE');
	});

	test('a live key cannot make a test clock', async () => {
		assertInvalid(await rejection(live.testHelpers.testClocks.create({
		    frozen_time: utc(2024, 1, 1) })), 400, 'parameter_invalid',
		    undefined);
	});

	test('a subscription on a clock renews when the clock is advanced',
	    async () => {
		const clock = await stripe.testHelpers.testClocks.create({
		    frozen_time: utc(2024, 1, 31) });
		const customer = await stripe.customers.create({ name: 'On Clock',
		    email: email('clock'), test_clock: clock.id });
		assert.equal(customer.test_clock, clock.id);
		const s = await stripe.subscriptions.create({
		    customer: customer.id, price: 'price_monthly_pro' });
		assert.equal(s.test_clock, clock.id);
		assert.equal(s.current_period_start, utc(2024, 1, 31));
		assert.equal(s.current_period_end, utc(2024, 2, 29));
		await stripe.testHelpers.testClocks.advance(clock.id,
		    { frozen_time: utc(2024, 3, 1) });
		const end = Date.now() + 15000;
		let now;
		for (;;) {
			now = await stripe.subscriptions.retrieve(s.id);
			if (now.current_period_start !== s.current_period_start)
				break;
			assert.ok(Date.now() < end, 'no renewal within 15 s');
			await sleep(200);
		}
		assert.equal(now.status, 'active');
		assert.equal(now.current_period_start, utc(2024, 2, 29));
		assert.equal(now.current_period_end, utc(2024, 3, 31));
		assert.notEqual(now.latest_payment, s.latest_payment);
		assert.ok(now.current_period_end - now.current_period_start <
		    32 * DAY);
	});
});
