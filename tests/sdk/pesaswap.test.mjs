// @pesaswap/node (clients/js), the repository's client on the stock
// `stripe` package, against the running stack (issue 15 "The seed's
// JavaScript examples, as written"):
//   - the seed's three "Common use cases" snippets run verbatim (the
//     functions below; a test checks them against the seed's text), each
//     result read back through the API;
//   - payments: create, retrieve, list with auto-pagination and filters,
//     a declined card as Stripe's card error;
//   - customers.analytics();
//   - customers.listDuplicates() (auto-paginated) and customers.merge();
//   - customers.export() (text or a stream), customers.import() with
//     imports.retrieve()/list() and waitForImport(), a file round trip;
//   - payment schedules: create, retrieve, list, cancel, and one run by
//     pesaswap-jobs on a test clock;
//   - webhooks: a delivery from the running pesaswap-jobs verified with
//     webhooks.constructEvent, its signature rebuilt byte for byte, and
//     every way a forged or stale one is refused;
//   - where the client sends its requests (options, PESASWAP_API_URL).
//
// The seed's subscription names its price 'price_monthly_pro': no price
// has that id (ids are price_ + 16 random characters) and no account
// starts with prices, but `price` takes a lookup key (README "Recurring
// billing"), so before() gives this file's account a price with that
// lookup key, as a merchant would once.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import PesaSwap from '@pesaswap/node';
import { env, newAccount, newKey } from '../lib/stack.mjs';
import { startJobs } from '../lib/jobs.mjs';
import { rejection } from '../lib/sdk.mjs';

const API_URL = env.PESASWAP_API_URL.replace(/\/+$/, '');
const SEED = new URL('../../../shared/seed/customers.md', import.meta.url);
const PAY_RE = /^pay_[0-9A-Za-z]{16}$/;
const SCHED_RE = /^sched_[0-9A-Za-z]{16}$/;
const DAY = 86400;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { errors } = PesaSwap;

const run = randomBytes(4).toString('hex');
let n = 0;
const email = (tag) => `${tag}.${run}.${++n}@example.com`;

// ------------------------------------------ the seed's snippets, verbatim

async function saasPlatforms(peaswap, user) {
// Create customer during signup
const customer = await peaswap.customers.create({
  name: user.name,
  email: user.email,
  metadata: { user_id: user.id }
});

// Start subscription
const subscription = await peaswap.subscriptions.create({
  customer: customer.id,
  price: 'price_monthly_pro'
});
return { customer, subscription };
}

async function ecommerceSites(peaswap, orderData) {
// Create customer at checkout
const customer = await peaswap.customers.create({
  name: orderData.customerName,
  email: orderData.customerEmail,
  phone: orderData.customerPhone
});

// Process payment
const payment = await peaswap.payments.create({
  amount: orderData.total,
  currency: 'usd',
  customer: customer.id
});
return { customer, payment };
}

async function serviceProviders(peaswap) {
// Create customer for invoicing
const customer = await peaswap.customers.create({
  name: 'Acme Corporation',
  email: 'accounting@acme.com',
  metadata: { 
    company: 'Acme Corporation',
    contract_id: 'CONTRACT_2024_001'
  }
});
return { customer };
}

// ------------------------------------------------------------- helpers

function assertError(err, cls, status, code) {
	assert.ok(err instanceof cls, `${err?.constructor?.name} ` +
	    `(${err?.statusCode} ${err?.code}: ${err?.message}) is not ${cls.name}`);
	assert.equal(err.statusCode, status);
	assert.equal(err.code, code);
	assert.match(err.requestId ?? '', /^req_[0-9A-Za-z]+$/);
}

// Waits until FN() answers something PRED accepts; fails after MS.
async function until(fn, pred, ms, what) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (pred(v))
			return v;
		assert.ok(Date.now() < end, `${what}: not within ${ms} ms`);
		await sleep(100);
	}
}

let account;
let peaswap;	// configured by PESASWAP_API_URL alone, as a merchant's
let pro;	// the price with lookup_key price_monthly_pro

before(async () => {
	account = await newAccount(`sdk-pesaswap-${run}`);
	peaswap = new PesaSwap(account.testKey);
	pro = await peaswap.prices.create({ unit_amount: 2900,
	    currency: 'usd', recurring: { interval: 'month' },
	    lookup_key: 'price_monthly_pro', nickname: 'Pro monthly' });
	await startJobs();
});
after(startJobs);	// the stack keeps its pesaswap-jobs

describe('the seed\'s "Common use cases", as written', () => {
	test('the snippets here are the seed\'s, character for character',
	    (t) => {
		if (!existsSync(SEED)) {
			t.skip(`no seed at ${SEED.pathname}`);
			return;
		}
		const text = readFileSync(SEED, 'utf8');
		const section = text.slice(text.indexOf('## Common use cases'),
		    text.indexOf('## Troubleshooting'));
		const blocks = [...section.matchAll(
		    /```javascript[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
		assert.equal(blocks.length, 3);
		const mine = [saasPlatforms, ecommerceSites, serviceProviders];
		blocks.forEach((b, i) => assert.ok(mine[i].toString().includes(b),
		    `${mine[i].name} is not the seed's block:\n${b}`));
	});

	test('SaaS platforms: a customer at sign-up, then its subscription ' +
	    'to price_monthly_pro', async () => {
		const user = { name: 'Jane Signup', email: email('saas'),
		    id: 4242 };
		const { customer, subscription } = await saasPlatforms(peaswap,
		    user);
		const c = await peaswap.customers.retrieve(customer.id);
		assert.equal(c.name, 'Jane Signup');
		assert.equal(c.email, user.email);
		assert.deepEqual(c.metadata, { user_id: '4242' });
		const s = await peaswap.subscriptions.retrieve(subscription.id);
		assert.equal(s.customer, customer.id);
		assert.equal(s.price, pro.id);
		assert.equal(s.status, 'active');
		// Its first period was charged: 2900 usd, read back.
		const p = await peaswap.payments.retrieve(s.latest_payment);
		assert.equal(p.customer, customer.id);
		assert.equal(p.amount, 2900);
		assert.equal(p.currency, 'usd');
		assert.equal(p.status, 'succeeded');
		const listed = await peaswap.subscriptions.list(
		    { customer: customer.id });
		assert.deepEqual(listed.data.map((x) => x.id), [subscription.id]);
	});

	test('E-commerce sites: a customer at checkout, then its payment',
	    async () => {
		const orderData = { customerName: 'Checkout Shopper',
		    customerEmail: email('shop'),
		    customerPhone: '+254 712-345-678', total: 2500 };
		const { customer, payment } = await ecommerceSites(peaswap,
		    orderData);
		assert.match(payment.id, PAY_RE);
		assert.equal(payment.object, 'payment');
		const c = await peaswap.customers.retrieve(customer.id);
		assert.equal(c.name, 'Checkout Shopper');
		assert.equal(c.phone, '+254712345678');
		const p = await peaswap.payments.retrieve(payment.id);
		assert.deepEqual({ ...p }, { ...payment });
		assert.equal(p.amount, 2500);
		assert.equal(p.currency, 'usd');
		assert.equal(p.customer, customer.id);
		assert.equal(p.status, 'succeeded');
		assert.equal(p.livemode, false);
		// The seed's "Retrieving customer payments".
		const mine = await peaswap.payments.list({ customer: customer.id });
		assert.deepEqual(mine.data.map((x) => x.id), [payment.id]);
		const a = await peaswap.customers.analytics(customer.id);
		assert.equal(a.total_payments, 1);
		assert.deepEqual(a.volume, [{ currency: 'usd', total_volume: 2500,
		    payments: 1, average_transaction: 2500, refunded_amount: 0,
		    net_volume: 2500 }]);
	});

	test('Service providers: a customer for invoicing with metadata',
	    async () => {
		const { customer } = await serviceProviders(peaswap);
		const c = await peaswap.customers.retrieve(customer.id);
		assert.equal(c.name, 'Acme Corporation');
		assert.equal(c.email, 'accounting@acme.com');
		assert.deepEqual(c.metadata, { company: 'Acme Corporation',
		    contract_id: 'CONTRACT_2024_001' });
		const found = await peaswap.customers.list(
		    { email: 'accounting@acme.com' });
		assert.deepEqual(found.data.map((x) => x.id), [customer.id]);
	});
});

describe('payments', () => {
	let customer;
	const made = [];	// created in order, all succeeded
	before(async () => {
		customer = await peaswap.customers.create({ name: 'Payer',
		    email: email('pay') });
		for (let i = 0; i < 7; i++)
			made.push(await peaswap.payments.create({ amount: 100 + i,
			    currency: 'usd', customer: customer.id,
			    description: `order ${i}`, metadata: { i } }));
	});

	test('create answers the payment; retrieve reads it back', async () => {
		const p = made[3];
		assert.equal(p.amount, 103);
		assert.equal(p.description, 'order 3');
		assert.deepEqual(p.metadata, { i: '3' });
		assert.equal(p.lastResponse.statusCode, 200);
		const got = await peaswap.payments.retrieve(p.id);
		assert.deepEqual({ ...got }, { ...p });
	});

	test('list auto-pagination walks every page, newest first, each once',
	    async () => {
		const want = made.map((p) => p.id).reverse();
		const all = await peaswap.payments.list({ customer: customer.id,
		    limit: 2 }).autoPagingToArray({ limit: 100 });
		assert.deepEqual(all.map((p) => p.id), want);
		const seen = [];
		for await (const p of peaswap.payments.list({
		    customer: customer.id, limit: 3 }))
			seen.push(p.id);
		assert.deepEqual(seen, want);
		const page = await peaswap.payments.list({ customer: customer.id,
		    limit: 2 });
		assert.equal(page.object, 'list');
		assert.equal(page.has_more, true);
		assert.equal(page.data.length, 2);
	});

	test('a declined card is StripeCardError 402; list filters on status',
	    async () => {
		const c = await peaswap.customers.create({ name: 'Declined',
		    email: email('decl') });
		const err = await rejection(peaswap.payments.create({
		    amount: 900, currency: 'usd', customer: c.id,
		    payment_method: 'pm_card_chargeDeclined' }));
		assertError(err, errors.StripeCardError, 402, 'card_declined');
		const failed = await peaswap.payments.list({ customer: c.id,
		    status: 'failed' });
		assert.equal(failed.data.length, 1);
		assert.equal(failed.data[0].failure_code, 'card_declined');
		assert.equal(failed.data[0].amount, 900);
		const ok = await peaswap.payments.list({ customer: c.id,
		    status: 'succeeded' });
		assert.deepEqual(ok.data, []);
	});

	test('errors keep Stripe\'s classes: unknown id, bad amount',
	    async () => {
		assertError(await rejection(peaswap.payments.retrieve(
		    'pay_0000000000000000')), errors.StripeInvalidRequestError,
		    404, 'resource_missing');
		const err = await rejection(peaswap.payments.create({
		    amount: -5, currency: 'usd' }));
		assertError(err, errors.StripeInvalidRequestError, 400,
		    err.code);
		assert.equal(err.param, 'amount');
	});
});

describe('customers.analytics()', () => {
	test('counts, volume per currency, average and the last payment',
	    async () => {
		const c = await peaswap.customers.create({ name: 'Analysed',
		    email: email('an') });
		const empty = await peaswap.customers.analytics(c.id);
		assert.equal(empty.object, 'customer_analytics');
		assert.equal(empty.customer, c.id);
		assert.equal(empty.total_payments, 0);
		assert.equal(empty.failed_payments, 0);
		assert.deepEqual(empty.volume, []);
		assert.equal(empty.last_payment, null);
		await peaswap.payments.create({ amount: 2500, currency: 'usd',
		    customer: c.id });
		await peaswap.payments.create({ amount: 1000, currency: 'usd',
		    customer: c.id });
		const last = await peaswap.payments.create({ amount: 700,
		    currency: 'kes', customer: c.id });
		await rejection(peaswap.payments.create({ amount: 50,
		    currency: 'usd', customer: c.id,
		    payment_method: 'pm_card_insufficientFunds' }));
		const a = await peaswap.customers.analytics(c.id);
		assert.equal(a.total_payments, 3);
		assert.equal(a.failed_payments, 1);
		const by = Object.fromEntries(a.volume.map((v) => [v.currency, v]));
		assert.deepEqual(by.usd, { currency: 'usd', total_volume: 3500,
		    payments: 2, average_transaction: 1750, refunded_amount: 0,
		    net_volume: 3500 });
		assert.deepEqual(by.kes, { currency: 'kes', total_volume: 700,
		    payments: 1, average_transaction: 700, refunded_amount: 0,
		    net_volume: 700 });
		assert.equal(a.volume.length, 2);
		assert.deepEqual(a.last_payment, { id: last.id, amount: 700,
		    currency: 'kes', created: last.created });
	});

	test('unknown customer 404; a key without customers:read 403',
	    async () => {
		assertError(await rejection(peaswap.customers.analytics(
		    'cust_0000000000000000')), errors.StripeInvalidRequestError,
		    404, 'resource_missing');
		const c = await peaswap.customers.create({ name: 'Guarded',
		    email: email('guard') });
		const { key } = await newKey(account, 'test', 'payments:read');
		const restricted = new PesaSwap(key);
		const err = await rejection(restricted.customers.analytics(c.id));
		assert.ok(err instanceof errors.StripePermissionError,
		    `${err.constructor.name}: ${err.message}`);
		assert.equal(err.statusCode, 403);
	});
});

describe('customers.listDuplicates() and merge()', () => {
	test('duplicates auto-paginate; a merge leaves one customer',
	    async () => {
		const phone = '+2547' + String(10000000 +
		    randomBytes(3).readUIntBE(0, 3));
		const made = [];
		for (const name of ['Twin A', 'Twin B', 'Twin C'])
			made.push(await peaswap.customers.create({ name,
			    email: email('twin'), phone }));
		const groups = await peaswap.customers.listDuplicates(
		    { limit: 1 }).autoPagingToArray({ limit: 1000 });
		assert.equal(new Set(groups.map((g) => g.id)).size,
		    groups.length, 'a group seen twice while paging');
		const g = groups.find((x) => x.key === phone.slice(1));
		assert.ok(g, 'the phone group was not listed');
		assert.equal(g.object, 'customer_duplicate_group');
		assert.equal(g.reason, 'phone');
		assert.deepEqual(g.customers.map((c) => c.id),
		    made.map((c) => c.id));
		const survivor = await peaswap.customers.merge(made[0].id,
		    { from: made[1].id });
		assert.equal(survivor.id, made[0].id);
		const again = await peaswap.customers.merge(made[0].id,
		    { from: made[1].id });
		assert.deepEqual(again, survivor);
		const after = await peaswap.customers.listDuplicates(
		    { limit: 100 }).autoPagingToArray({ limit: 1000 });
		assert.deepEqual(after.find((x) => x.key === phone.slice(1))
		    ?.customers.map((c) => c.id), [made[0].id, made[2].id]);
	});

	test('merge into itself and from a missing customer are refused',
	    async () => {
		const c = await peaswap.customers.create({ name: 'Alone',
		    email: email('alone') });
		const self = await rejection(peaswap.customers.merge(c.id,
		    { from: c.id }));
		assertError(self, errors.StripeInvalidRequestError, 400,
		    'parameter_invalid');
		assert.equal(self.param, 'from');
		assertError(await rejection(peaswap.customers.merge(c.id,
		    { from: 'cust_NoSuchCustomer00' })),
		    errors.StripeInvalidRequestError, 404, 'resource_missing');
	});
});

describe('customers.export(), import() and imports', () => {
	// A CSV of N new customers tagged with this run's batch.
	function csvOf(batch, n) {
		const rows = ['name,email,phone,metadata'];
		for (let i = 0; i < n; i++)
			rows.push(`"Imported, ${i}",${email('imp')},,` +
			    `"{""batch"":""${batch}""}"`);
		return rows.join('\r\n') + '\r\n';
	}
	const batchQuery = (batch) => `metadata['batch']:'${batch}'`;

	test('a dry run, an import, its retrieval and listing, the export',
	    async () => {
		const batch = `b${run}x`;
		const file = csvOf(batch, 3);
		const dry = await peaswap.customers.import(file);
		assert.equal(dry.object, 'customer_import');
		assert.equal(dry.id, null);
		assert.equal(dry.mode, 'dry_run');
		assert.equal(dry.created, 3);
		assert.deepEqual(dry.errors, []);
		const started = await peaswap.customers.import(
		    Buffer.from(file), { mode: 'skip' });
		assert.match(started.id, /^cimp_[0-9A-Za-z]{16}$/);
		const done = await peaswap.customers.waitForImport(started.id,
		    { interval: 100, timeout: 30000 });
		assert.equal(done.status, 'succeeded');
		assert.equal(done.created, 3);
		assert.equal(done.rows_processed, 3);
		assert.deepEqual(await peaswap.customers.waitForImport(done),
		    done);
		assert.deepEqual(await peaswap.customers.imports.retrieve(
		    done.id), done);
		const listed = await peaswap.customers.imports.list({ limit: 1 })
		    .autoPagingToArray({ limit: 1000 });
		assert.ok(listed.some((i) => i.id === done.id));
		// The export of that batch: the header and the three.
		const csv = await peaswap.customers.export(
		    { query: batchQuery(batch) });
		const lines = csv.trimEnd().split('\r\n');
		assert.equal(lines[0], 'id,name,email,phone,created,metadata');
		assert.equal(lines.length, 4);
		for (const row of file.trimEnd().split('\r\n').slice(1))
			assert.ok(csv.includes(row.split(',')[2]),
			    `${row} is not in the export`);
		const jsonl = await peaswap.customers.export(
		    { query: batchQuery(batch), format: 'jsonl' });
		const objs = jsonl.trimEnd().split('\n').map((l) =>
		    JSON.parse(l));
		assert.equal(objs.length, 3);
		assert.ok(objs.every((o) => o.metadata.batch === batch));
		// The export imports unchanged: every row an update.
		const again = await peaswap.customers.waitForImport(
		    await peaswap.customers.import(csv, { mode: 'update' }));
		assert.equal(again.status, 'succeeded');
		assert.equal(again.updated, 3);
		assert.equal(again.created, 0);
	});

	test('export streams with { streaming: true }', async () => {
		const batch = `s${run}x`;
		await peaswap.customers.waitForImport(
		    await peaswap.customers.import(csvOf(batch, 2),
		    { mode: 'skip' }));
		const params = { query: batchQuery(batch) };
		const stream = await peaswap.customers.export(params,
		    { streaming: true });
		assert.equal(typeof stream.pipe, 'function');
		const chunks = [];
		for await (const c of stream)
			chunks.push(c);
		assert.equal(Buffer.concat(chunks).toString('utf8'),
		    await peaswap.customers.export(params));
	});

	test('a bad file, a bad format and a missing import are Stripe ' +
	    'errors; a file that is not text is refused at once', async () => {
		const bad = await rejection(peaswap.customers.import(
		    'name,email\r\nNo Email,not-an-email\r\n',
		    { mode: 'skip' }));
		assert.ok(bad instanceof errors.StripeInvalidRequestError);
		assert.equal(bad.statusCode, 400);
		assert.equal(bad.raw.errors[0].row, 2);
		assert.equal(bad.raw.errors[0].param, 'email');
		const fmt = await rejection(peaswap.customers.export(
		    { format: 'xml' }));
		assertError(fmt, errors.StripeInvalidRequestError, 400,
		    'parameter_invalid');
		assert.equal(fmt.param, 'format');
		assertError(await rejection(peaswap.customers.waitForImport(
		    'cimp_0000000000000000')), errors.StripeInvalidRequestError,
		    404, 'resource_missing');
		const notText = await rejection(peaswap.customers.import(
		    { name: 'x' }));
		assert.ok(notText instanceof TypeError);
	});
});

describe('paymentSchedules', () => {
	test('create, retrieve, list (auto-paginated), cancel', async () => {
		const c = await peaswap.customers.create({ name: 'Instalments',
		    email: email('sched') });
		const at = Math.floor(Date.now() / 1000) + 30 * DAY;
		const made = [];
		for (let i = 0; i < 3; i++)
			made.push(await peaswap.paymentSchedules.create({
			    customer: c.id, amount: 5000, currency: 'usd',
			    run_at: at + i * DAY,
			    description: `Installment ${i + 1} of 3` }));
		const s = made[0];
		assert.match(s.id, SCHED_RE);
		assert.equal(s.object, 'payment_schedule');
		assert.equal(s.status, 'scheduled');
		assert.equal(s.run_at, at);
		assert.equal(s.payment, null);
		const got = await peaswap.paymentSchedules.retrieve(s.id);
		assert.deepEqual({ ...got }, { ...s });
		const all = await peaswap.paymentSchedules.list({ customer: c.id,
		    limit: 2 }).autoPagingToArray({ limit: 100 });
		assert.deepEqual(all.map((x) => x.id),
		    made.map((x) => x.id).reverse());
		const canceled = await peaswap.paymentSchedules.cancel(s.id);
		assert.equal(canceled.id, s.id);
		assert.equal(canceled.status, 'canceled');
		const again = await peaswap.paymentSchedules.retrieve(s.id);
		assert.equal(again.status, 'canceled');
		const err = await rejection(peaswap.paymentSchedules.cancel(s.id));
		assert.ok(err instanceof errors.StripeInvalidRequestError);
		assert.equal(err.statusCode, 400);
	});

	test('run_at in the past is refused with param run_at', async () => {
		const c = await peaswap.customers.create({ name: 'Late',
		    email: email('late') });
		const err = await rejection(peaswap.paymentSchedules.create({
		    customer: c.id, amount: 100, currency: 'usd',
		    run_at: Math.floor(Date.now() / 1000) - 60 }));
		assertError(err, errors.StripeInvalidRequestError, 400,
		    'parameter_invalid');
		assert.equal(err.param, 'run_at');
	});

	test('pesaswap-jobs runs a due schedule: its payment is readable',
	    async () => {
		const t0 = Date.UTC(2024, 0, 10) / 1000;
		const clock = await peaswap.testHelpers.testClocks.create({
		    frozen_time: t0 });
		const c = await peaswap.customers.create({ name: 'On Clock',
		    email: email('clock'), test_clock: clock.id });
		const s = await peaswap.paymentSchedules.create({ customer: c.id,
		    amount: 1234, currency: 'usd', run_at: t0 + 3600 });
		await peaswap.testHelpers.testClocks.advance(clock.id,
		    { frozen_time: t0 + 7200 });
		const done = await until(() => peaswap.paymentSchedules.retrieve(
		    s.id), (x) => x.status !== 'scheduled', 15000,
		    'the schedule ran');
		assert.equal(done.status, 'succeeded');
		assert.match(done.payment ?? '', PAY_RE);
		const p = await peaswap.payments.retrieve(done.payment);
		assert.equal(p.amount, 1234);
		assert.equal(p.customer, c.id);
		assert.deepEqual(p.metadata, { payment_schedule: s.id });
	});
});

describe('webhooks: PesaSwap-Signature', () => {
	let server;
	const got = [];		// {headers, raw}
	let secret;
	let delivery;		// the customer.created of `made`
	let made;

	before(async () => {
		server = createServer((req, res) => {
			const chunks = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', () => {
				got.push({ headers: req.headers,
				    raw: Buffer.concat(chunks) });
				res.writeHead(200).end('ok');
			});
		});
		await new Promise((resolve) => server.listen(0, '127.0.0.1',
		    resolve));
		const ep = await peaswap.webhookEndpoints.create({
		    url: `http://127.0.0.1:${server.address().port}/hooks`,
		    enabled_events: ['customer.created'] });
		secret = ep.secret;
		assert.match(secret, /^whsec_/);
		made = await peaswap.customers.create({ name: 'Hooked',
		    email: email('hook') });
		delivery = await until(async () => got.find((d) =>
		    d.raw.includes(made.id)), Boolean, 15000,
		    'the customer.created delivery');
	});
	after(() => new Promise((resolve) => {
		server.closeAllConnections?.();
		server.close(resolve);
	}));

	test('constructEvent accepts the delivery as pesaswap-jobs sent it',
	    () => {
		const header = delivery.headers['pesaswap-signature'];
		assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
		const event = peaswap.webhooks.constructEvent(delivery.raw,
		    header, secret);
		assert.equal(event.object, 'event');
		assert.equal(event.type, 'customer.created');
		assert.equal(event.data.object.id, made.id);
		assert.equal(event.data.object.email, made.email);
		// as a string too, and through the class and the async form
		assert.equal(PesaSwap.webhooks.constructEvent(
		    delivery.raw.toString('utf8'), header, secret).id, event.id);
		assert.equal(peaswap.webhooks.SIGNATURE_HEADER,
		    'PesaSwap-Signature');
	});

	test('the signature is HMAC-SHA256 of "<t>.<raw body>" keyed by the ' +
	    'whole secret, rebuilt byte for byte', async () => {
		const header = delivery.headers['pesaswap-signature'];
		const t = Number(/^t=(\d+),/.exec(header)[1]);
		const mac = createHmac('sha256', secret).update(`${t}.`)
		    .update(delivery.raw).digest('hex');
		assert.equal(header, `t=${t},v1=${mac}`);
		assert.equal(peaswap.webhooks.generateTestHeaderString({
		    payload: delivery.raw.toString('utf8'), secret,
		    timestamp: t }), header);
		const event = await peaswap.webhooks.constructEventAsync(
		    delivery.raw, header, secret);
		assert.equal(event.data.object.id, made.id);
	});

	test('a changed body, another secret, a stale or missing header, a ' +
	    'parsed body: StripeSignatureVerificationError naming ours', () => {
		const header = delivery.headers['pesaswap-signature'];
		const t = Number(/^t=(\d+),/.exec(header)[1]);
		const refused = (fn, re) => {
			let err;
			try {
				fn();
			} catch (e) {
				err = e;
			}
			assert.ok(err instanceof errors.StripeSignatureVerificationError,
			    `${err?.constructor?.name}: ${err?.message}`);
			assert.match(err.message, re);
		};
		const body = Buffer.from(delivery.raw);
		body[body.length - 2] ^= 1;
		refused(() => peaswap.webhooks.constructEvent(body, header, secret),
		    /No v1 signature in the PesaSwap-Signature header matches/);
		refused(() => peaswap.webhooks.constructEvent(delivery.raw, header,
		    `${secret}x`), /PesaSwap-Signature header matches/);
		refused(() => peaswap.webhooks.constructEvent(delivery.raw, header,
		    secret, 300, undefined, (t + 301) * 1000),
		    /Timestamp outside the tolerance zone/);
		refused(() => peaswap.webhooks.constructEvent(delivery.raw,
		    undefined, secret), /^No PesaSwap-Signature header value/);
		refused(() => peaswap.webhooks.constructEvent(
		    JSON.parse(delivery.raw), header, secret),
		    /must be the raw request body/);
		// A signature over the same body at another time does not move.
		refused(() => peaswap.webhooks.constructEvent(delivery.raw,
		    header.replace(`t=${t}`, `t=${t + 1}`), secret),
		    /PesaSwap-Signature header matches/);
	});
});

describe('where requests go', () => {
	// A one-shot HTTP server that records the request it gets and
	// answers an empty payments list.
	async function recorder() {
		const seen = [];
		const server = createServer((req, res) => {
			seen.push({ method: req.method, url: req.url,
			    headers: req.headers });
			res.writeHead(200, { 'content-type': 'application/json',
			    'request-id': 'req_0123456789abcdef' });
			res.end(JSON.stringify({ object: 'list', data: [],
			    has_more: false, url: '/v1/payments' }));
		});
		await new Promise((resolve) => server.listen(0, '127.0.0.1',
		    resolve));
		return { seen, port: server.address().port,
		    close: () => new Promise((r) => server.close(r)) };
	}

	test('apiUrl: that host, the key as Bearer, our User-Agent',
	    async () => {
		const r = await recorder();
		try {
			const c = new PesaSwap('sk_test_recorded',
			    { apiUrl: `http://127.0.0.1:${r.port}/` });
			const l = await c.payments.list({ customer: 'cust_x',
			    limit: 5 });
			assert.deepEqual(l.data, []);
		} finally {
			await r.close();
		}
		assert.equal(r.seen.length, 1);
		const [req] = r.seen;
		assert.equal(req.method, 'GET');
		assert.equal(req.url, '/v1/payments?customer=cust_x&limit=5');
		assert.equal(req.headers.authorization, 'Bearer sk_test_recorded');
		assert.match(req.headers['user-agent'], /@pesaswap\/node\/0\.1\.0/);
		assert.equal(req.headers['x-stripe-client-telemetry'], undefined);
	});

	test('host, port and protocol as Stripe takes them', async () => {
		const u = new URL(API_URL);
		const c = new PesaSwap(account.testKey, { host: u.hostname,
		    port: Number(u.port), protocol: 'http' });
		const p = await c.payments.create({ amount: 321,
		    currency: 'usd' });
		assert.equal((await peaswap.payments.retrieve(p.id)).amount, 321);
	});

	test('PESASWAP_API_URL when no option names a host', async () => {
		const saved = process.env.PESASWAP_API_URL;
		const r = await recorder();
		try {
			process.env.PESASWAP_API_URL = `http://127.0.0.1:${r.port}`;
			await new PesaSwap('sk_test_env').payments.list();
		} finally {
			process.env.PESASWAP_API_URL = saved;
			await r.close();
		}
		assert.equal(r.seen[0]?.url, '/v1/payments');
	});

	test('no host anywhere, or a URL it cannot honour, throws at once ' +
	    '(never Stripe\'s own host)', () => {
		const saved = process.env.PESASWAP_API_URL;
		try {
			delete process.env.PESASWAP_API_URL;
			assert.throws(() => new PesaSwap('sk_test_x'),
			    /no PesaSwap API URL/);
		} finally {
			process.env.PESASWAP_API_URL = saved;
		}
		for (const apiUrl of ['127.0.0.1:8080', 'ftp://127.0.0.1',
		    'http://127.0.0.1:8080/api', 'http://k:s@127.0.0.1'])
			assert.throws(() => new PesaSwap('sk_test_x', { apiUrl }),
			    /@pesaswap\/node: the API URL/, apiUrl);
		assert.throws(() => new PesaSwap('sk_test_x', { apiUrl: API_URL,
		    host: '127.0.0.1' }), /apiUrl or host, not both/);
	});

	test('it is a Stripe client: Stripe\'s resources and errors',
	    async () => {
		assert.ok(peaswap instanceof PesaSwap);
		assert.equal(typeof peaswap.customers.search, 'function');
		assert.equal(PesaSwap.errors.StripeCardError,
		    peaswap.errors.StripeCardError);
		const l = await peaswap.customers.list({ limit: 1 });
		assert.equal(l.object, 'list');
	});
});
