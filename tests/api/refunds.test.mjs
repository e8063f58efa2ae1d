// POST /v1/refunds, GET /v1/refunds/:id, GET /v1/refunds (issue 15,
// "Refunds", as Stripe's Refund): full and partial refunds of a succeeded
// payment, never more than was paid (also under concurrent requests),
// the payment's amount_refunded and refunded, the events refund.created
// and payment.refunded, the customer's net volume, idempotency, the
// isolation of accounts and modes, permissions, lists, and the stock
// `stripe` client's refunds resource. Every refused request is followed
// by a read-back proving nothing was written.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { env, newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail, afterSecond }
    from '../lib/openapi.mjs';

let acct;	// this file's account
let other;	// another account, for isolation
before(async () => {
	acct = await newAccount('api-refunds');
	other = await newAccount('api-refunds-other');
});

// Stripe's key order of the refund object, as refunds.c renders it.
const REFUND_KEYS = ['id', 'object', 'amount', 'currency', 'payment',
    'status', 'reason', 'metadata', 'created', 'livemode'];

const refund = (json, key = acct.testKey, headers = {}) =>
    call('/v1/refunds', { method: 'POST', key, json, headers });
const getRefund = (id, key = acct.testKey) =>
    call(`/v1/refunds/${id}`, { key });
const getPayment = async (id, key = acct.testKey) =>
    expectOk(await call(`/v1/payments/${id}`, { key }));
const listRefunds = async (qs = '', key = acct.testKey) =>
    expectOk(await call(`/v1/refunds${qs ? '?' + qs : ''}`, { key }));

async function newCustomer(key = acct.testKey) {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: { name: 'Refunded', email: uniqEmail('re') } }));
}

// A succeeded payment of "amount" (of a new customer unless given).
async function paid(amount = 5000, currency = 'usd', customer,
    key = acct.testKey) {
	const c = customer ?? await newCustomer(key);
	const p = expectOk(await call('/v1/payments', { method: 'POST', key,
	    json: { amount, currency, customer: c.id } }));
	assert.equal(p.status, 'succeeded');
	return p;
}

// The events of "type" about object "id", newest first.
async function eventsAbout(type, id, key = acct.testKey) {
	const l = expectOk(await call(`/v1/events?type=${type}&limit=100`,
	    { key }));
	return l.data.filter((e) => e.data.object.id === id);
}

// What a refused refund must leave as it was: the payment, its refunds,
// the newest event and the customer's analytics.
async function state(p, key = acct.testKey) {
	const ev = expectOk(await call('/v1/events?limit=1', { key }));
	return {
		payment: await getPayment(p.id, key),
		refunds: (await listRefunds(`payment=${p.id}`, key)).data,
		all: (await listRefunds('limit=1', key)).data,
		event: ev.data[0]?.id ?? null,
		analytics: p.customer === null ? null : expectOk(await call(
		    `/v1/customers/${p.customer}/analytics`, { key })),
	};
}

// A refused refund of "p": the error, then nothing changed.
async function refused(p, json, status, code, param, key = acct.testKey) {
	const before = await state(p, key);
	const e = expectError(await refund(json, key), status,
	    'invalid_request_error', code, param);
	assert.deepEqual(await state(p, key), before, 'a refused refund wrote');
	return e;
}

// ------------------------------------------------------------ creating

test('full_refund_by_default_refunds_what_is_left', async () => {
	const p = await paid(5000);
	const r = expectOk(await refund({ payment: p.id }));
	const now = Math.floor(Date.now() / 1000);
	assert.deepEqual(Object.keys(r), REFUND_KEYS);
	assert.match(r.id, /^re_[0-9A-Za-z]{16}$/);
	assert.equal(r.object, 'refund');
	assert.equal(r.amount, 5000);
	assert.equal(r.currency, 'usd');
	assert.equal(r.payment, p.id);
	assert.equal(r.status, 'succeeded');
	assert.equal(r.reason, null);
	assert.deepEqual(r.metadata, {});
	assert.ok(Math.abs(r.created - now) < 120);
	assert.equal(r.livemode, false);
	assert.deepEqual(expectOk(await getRefund(r.id)), r);
	const after = await getPayment(p.id);
	assert.equal(after.amount_refunded, 5000);
	assert.equal(after.refunded, true);
	assert.equal(after.status, 'succeeded');
});

test('a_new_payment_has_nothing_refunded', async () => {
	const p = await paid(700);
	assert.equal(p.amount_refunded, 0);
	assert.equal(p.refunded, false);
	assert.deepEqual(await getPayment(p.id), p);
});

test('partial_refund_keeps_reason_metadata_and_leaves_the_rest', async () => {
	const p = await paid(5000, 'KES');
	const r = expectOk(await refund({ payment: p.id, amount: 1200,
	    reason: 'requested_by_customer', metadata: { ticket: 'T-9' } }));
	assert.equal(r.amount, 1200);
	assert.equal(r.currency, 'kes');
	assert.equal(r.reason, 'requested_by_customer');
	assert.deepEqual(r.metadata, { ticket: 'T-9' });
	const after = await getPayment(p.id);
	assert.equal(after.amount_refunded, 1200);
	assert.equal(after.refunded, false);
});

test('form_encoded_refund_with_bracket_metadata', async () => {
	const p = await paid(900);
	const r = expectOk(await call('/v1/refunds', { method: 'POST',
	    key: acct.testKey, form: `payment=${p.id}&amount=300` +
	    '&reason=duplicate&metadata[order]=42' }));
	assert.equal(r.amount, 300);
	assert.equal(r.reason, 'duplicate');
	assert.deepEqual(r.metadata, { order: '42' });
});

test('several_partials_up_to_the_amount_then_nothing_is_left', async () => {
	const p = await paid(1000);
	for (const [amount, reason] of [[300, 'duplicate'], [300, 'fraudulent'],
	    [400, undefined]])
		expectOk(await refund({ payment: p.id, amount,
		    ...(reason ? { reason } : {}) }));
	const after = await getPayment(p.id);
	assert.equal(after.amount_refunded, 1000);
	assert.equal(after.refunded, true);
	await refused(after, { payment: p.id }, 400,
	    'charge_already_refunded', 'payment');
	await refused(after, { payment: p.id, amount: 1 }, 400,
	    'charge_already_refunded', 'payment');
});

test('the_default_after_a_partial_is_the_remainder', async () => {
	const p = await paid(1000);
	expectOk(await refund({ payment: p.id, amount: 250 }));
	const r = expectOk(await refund({ payment: p.id }));
	assert.equal(r.amount, 750);
	assert.equal((await getPayment(p.id)).amount_refunded, 1000);
});

test('over_refund_is_refused_and_writes_nothing', async () => {
	const p = await paid(1000);
	expectOk(await refund({ payment: p.id, amount: 600 }));
	const e = await refused(await getPayment(p.id), { payment: p.id,
	    amount: 401 }, 400, 'amount_too_large', 'amount');
	assert.match(e.message, /400 of 1000/);
	await refused(p, { payment: p.id, amount: 1001 }, 400,
	    'amount_too_large', 'amount');
	expectOk(await refund({ payment: p.id, amount: 400 }));
});

test('failed_payment_is_refused_and_writes_nothing', async () => {
	const c = await newCustomer();
	const res = await call('/v1/payments', { method: 'POST',
	    key: acct.testKey, json: { amount: 800, currency: 'usd',
	    customer: c.id, payment_method: 'pm_card_chargeDeclined' } });
	assert.equal(res.status, 402);
	const p = res.json.error.payment;
	assert.equal(p.status, 'failed');
	await refused(p, { payment: p.id }, 400, 'payment_not_refundable',
	    'payment');
	await refused(p, { payment: p.id, amount: 100 }, 400,
	    'payment_not_refundable', 'payment');
});

for (const [name, json, code, param] of [
    ['missing_payment', {}, 'parameter_missing', 'payment'],
    ['amount_0', { amount: 0 }, 'amount_invalid', 'amount'],
    ['amount_negative', { amount: -5 }, 'amount_invalid', 'amount'],
    ['amount_fraction', { amount: 1.5 }, 'amount_invalid', 'amount'],
    ['amount_string', { amount: 'ten' }, 'amount_invalid', 'amount'],
    ['unknown_reason', { reason: 'changed_mind' }, 'parameter_invalid',
	'reason'],
    ['reason_not_a_string', { reason: 3 }, 'parameter_invalid', 'reason'],
    ['stripe_charge_naming', { charge: 'ch_123' }, 'parameter_unknown',
	'charge'],
    ['stripe_payment_intent_naming', { payment_intent: 'pi_123' },
	'parameter_unknown', 'payment_intent'],
    ['currency_is_not_taken', { currency: 'usd' }, 'parameter_unknown',
	'currency']]) {
	test(`refund_with_${name}_is_refused`, async () => {
		const p = await paid(500);
		await refused(p, { ...(name === 'missing_payment' ? {} :
		    { payment: p.id }), ...json }, 400, code, param);
	});
}

test('unknown_payment_is_refused_naming_it', async () => {
	const p = await paid(500);
	await refused(p, { payment: 'pay_NoSuchPaymentXY' }, 400,
	    'resource_missing', 'payment');
});

test('raw_card_number_in_metadata_is_refused', async () => {
	const p = await paid(500);
	await refused(p, { payment: p.id, metadata: { n: '4242424242424242' } },
	    400, 'sensitive_data_rejected');
});

// ----------------------------------------------------------- isolation

test('another_accounts_payment_and_refund_are_missing', async () => {
	const p = await paid(500, 'usd', undefined, other.testKey);
	expectError(await refund({ payment: p.id }), 400,
	    'invalid_request_error', 'resource_missing', 'payment');
	assert.equal((await getPayment(p.id, other.testKey)).amount_refunded, 0);
	const r = expectOk(await refund({ payment: p.id }, other.testKey));
	expectError(await getRefund(r.id), 404, 'invalid_request_error',
	    'resource_missing');
	assert.deepEqual((await listRefunds(`payment=${p.id}`)).data, []);
});

test('the_other_modes_payment_and_refund_are_missing', async () => {
	const p = await paid(500);
	const r = expectOk(await refund({ payment: p.id, amount: 100 }));
	expectError(await refund({ payment: p.id }, acct.liveKey), 400,
	    'invalid_request_error', 'resource_missing', 'payment');
	expectError(await getRefund(r.id, acct.liveKey), 404,
	    'invalid_request_error', 'resource_missing');
	assert.deepEqual((await listRefunds('', acct.liveKey)).data, []);
	assert.equal((await getPayment(p.id)).amount_refunded, 100);
});

test('unknown_refund_id_is_404', async () => {
	const e = expectError(await getRefund('re_0000000000000000'), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.match(e.message, /No such refund/);
});

// --------------------------------------------------------- permissions

test('payments_write_creates_and_payments_read_only_reads', async () => {
	const p = await paid(500);
	const ro = await newKey(acct, 'test', 'payments:read');
	const wo = await newKey(acct, 'test', 'payments:write');
	const cust = await newKey(acct, 'test', 'customers:read,customers:write');
	expectError(await refund({ payment: p.id }, ro.key), 403,
	    'permission_error', 'permission_denied');
	expectError(await refund({ payment: p.id }, cust.key), 403,
	    'permission_error', 'permission_denied');
	assert.equal((await getPayment(p.id)).amount_refunded, 0);
	const r = expectOk(await refund({ payment: p.id, amount: 10 }, wo.key));
	// A write permission covers the read one (README "Keys").
	assert.deepEqual(expectOk(await getRefund(r.id, wo.key)), r);
	expectError(await getRefund(r.id, cust.key), 403, 'permission_error',
	    'permission_denied');
	assert.deepEqual(expectOk(await getRefund(r.id, ro.key)), r);
	assert.equal((await listRefunds(`payment=${p.id}`, ro.key)).data.length,
	    1);
});

// --------------------------------------------------------- idempotency

test('idempotent_retry_replays_the_refund_and_refunds_once', async () => {
	const p = await paid(1000);
	const headers = { 'Idempotency-Key': uniq('idem') };
	const a = await refund({ payment: p.id, amount: 400 }, acct.testKey,
	    headers);
	const b = await refund({ payment: p.id, amount: 400 }, acct.testKey,
	    headers);
	assert.deepEqual(expectOk(b), expectOk(a));
	assert.equal(b.headers.get('idempotent-replayed'), 'true');
	assert.equal((await getPayment(p.id)).amount_refunded, 400);
	assert.equal((await listRefunds(`payment=${p.id}`)).data.length, 1);
	assert.equal((await eventsAbout('refund.created', a.json.id)).length, 1);
	expectError(await refund({ payment: p.id, amount: 500 }, acct.testKey,
	    headers), 409, 'idempotency_error', 'idempotency_key_reused');
});

// --------------------------------------------------------- concurrency

test('concurrent_refunds_never_exceed_the_payment', async () => {
	const p = await paid(1000);
	const res = await Promise.all(Array.from({ length: 12 }, () =>
	    refund({ payment: p.id, amount: 300 })));
	const ok = res.filter((r) => r.status === 200);
	assert.equal(ok.length, 3, res.map((r) => r.status).join(' '));
	for (const r of res.filter((x) => x.status !== 200))
		expectError(r, 400, 'invalid_request_error', 'amount_too_large',
		    'amount');
	const after = await getPayment(p.id);
	assert.equal(after.amount_refunded, 900);
	const listed = (await listRefunds(`payment=${p.id}`)).data;
	assert.equal(listed.reduce((s, r) => s + r.amount, 0), 900);
	const a = expectOk(await call(`/v1/customers/${p.customer}/analytics`,
	    { key: acct.testKey }));
	assert.equal(a.volume[0].refunded_amount, 900);
});

test('concurrent_full_refunds_refund_once', async () => {
	const p = await paid(777);
	const res = await Promise.all(Array.from({ length: 8 }, () =>
	    refund({ payment: p.id })));
	assert.equal(res.filter((r) => r.status === 200).length, 1);
	for (const r of res.filter((x) => x.status !== 200))
		expectError(r, 400, 'invalid_request_error',
		    'charge_already_refunded', 'payment');
	assert.equal((await getPayment(p.id)).amount_refunded, 777);
});

// -------------------------------------------------------------- events

test('refund_writes_refund_created_and_payment_refunded', async () => {
	const p = await paid(2000);
	const r = expectOk(await refund({ payment: p.id, amount: 500,
	    reason: 'fraudulent' }));
	const created = await eventsAbout('refund.created', r.id);
	assert.equal(created.length, 1);
	assert.deepEqual(created[0].data.object, r);
	const refunded = await eventsAbout('payment.refunded', p.id);
	assert.equal(refunded.length, 1);
	assert.deepEqual(refunded[0].data.object, await getPayment(p.id));
	assert.equal(refunded[0].data.object.amount_refunded, 500);
	assert.equal(refunded[0].data.object.refunded, false);
});

test('webhook_endpoints_subscribe_to_the_refund_events', async () => {
	const we = expectOk(await call('/v1/webhook_endpoints', { method: 'POST',
	    key: acct.testKey, json: { url: 'https://example.com/refunds',
	    enabled_events: ['refund.created', 'payment.refunded'] } }));
	assert.deepEqual(we.enabled_events, ['refund.created',
	    'payment.refunded']);
});

// ----------------------------------------------------------- analytics

test('analytics_show_refunded_amount_and_net_volume_per_currency', async () => {
	const c = await newCustomer();
	const usd = await paid(3000, 'usd', c);
	await paid(1000, 'usd', c);
	const kes = await paid(50000, 'kes', c);
	expectOk(await refund({ payment: usd.id, amount: 500 }));
	expectOk(await refund({ payment: usd.id, amount: 700 }));
	expectOk(await refund({ payment: kes.id }));
	const a = expectOk(await call(`/v1/customers/${c.id}/analytics`,
	    { key: acct.testKey }));
	assert.equal(a.total_payments, 3);
	assert.deepEqual(a.volume, [
		{ currency: 'kes', total_volume: 50000, payments: 1,
		    average_transaction: 50000, refunded_amount: 50000,
		    net_volume: 0 },
		{ currency: 'usd', total_volume: 4000, payments: 2,
		    average_transaction: 2000, refunded_amount: 1200,
		    net_volume: 2800 },
	]);
});

test('a_payment_without_customer_can_be_refunded', async () => {
	const p = expectOk(await call('/v1/payments', { method: 'POST',
	    key: acct.testKey, json: { amount: 650, currency: 'eur' } }));
	const r = expectOk(await refund({ payment: p.id }));
	assert.equal(r.amount, 650);
	assert.equal((await getPayment(p.id)).refunded, true);
});

// --------------------------------------------------------------- lists

test('list_is_newest_first_with_payment_filter_and_cursors', async () => {
	const p = await paid(1000);
	const q = await paid(1000);
	const made = [];
	for (let i = 1; i <= 4; i++)
		made.push(expectOk(await refund({ payment: i % 2 ? p.id : q.id,
		    amount: i * 10 })));
	const ofP = (await listRefunds(`payment=${p.id}`)).data;
	assert.deepEqual(ofP, [made[2], made[0]]);
	const page1 = await listRefunds(`payment=${q.id}&limit=1`);
	assert.deepEqual(page1.data, [made[3]]);
	assert.equal(page1.has_more, true);
	assert.equal(page1.url, '/v1/refunds');
	const page2 = await listRefunds(`payment=${q.id}&limit=1` +
	    `&starting_after=${made[3].id}`);
	assert.deepEqual(page2.data, [made[1]]);
	assert.equal(page2.has_more, false);
	const back = await listRefunds(`payment=${q.id}` +
	    `&ending_before=${made[1].id}`);
	assert.deepEqual(back.data, [made[3]]);
	const all = (await listRefunds('limit=4')).data;
	assert.deepEqual(all, [...made].reverse());
});

test('list_created_filter_bounds_the_refunds', async () => {
	const p = await paid(1000);
	const a = expectOk(await refund({ payment: p.id, amount: 1 }));
	await afterSecond(a.created);
	const b = expectOk(await refund({ payment: p.id, amount: 2 }));
	assert.deepEqual((await listRefunds(`payment=${p.id}` +
	    `&created[gt]=${a.created}`)).data, [b]);
	assert.deepEqual((await listRefunds(`payment=${p.id}` +
	    `&created[lte]=${a.created}`)).data, [a]);
});

test('list_refuses_unknown_parameters', async () => {
	expectError(await call('/v1/refunds?charge=ch_1', { key: acct.testKey }),
	    400, 'invalid_request_error', 'parameter_unknown', 'charge');
	expectError(await call('/v1/refunds/re_0000000000000000?bogus=1',
	    { key: acct.testKey }), 400, 'invalid_request_error',
	    'parameter_unknown', 'bogus');
});

// ------------------------------------------------ the stock stripe client

test('stock_stripe_client_creates_retrieves_and_lists_refunds', async () => {
	const u = new URL(env.PESASWAP_API_URL ?? 'http://127.0.0.1:8080');
	const stripe = new Stripe(acct.testKey, { host: u.hostname,
	    port: Number(u.port || 80), protocol: u.protocol.replace(/:$/, ''),
	    maxNetworkRetries: 0, telemetry: false });
	const p = await paid(1500);
	// refunds.create passes `payment` through as it is, form-encoded.
	const r = await stripe.refunds.create({ payment: p.id, amount: 500,
	    reason: 'duplicate', metadata: { order: '7' } });
	assert.equal(r.object, 'refund');
	assert.equal(r.payment, p.id);
	assert.equal(r.amount, 500);
	assert.deepEqual(r.metadata, { order: '7' });
	const back = await stripe.refunds.retrieve(r.id);
	assert.equal(back.id, r.id);
	const rest = await stripe.refunds.create({ payment: p.id });
	assert.equal(rest.amount, 1000);
	const all = await stripe.refunds.list({ payment: p.id, limit: 1 })
	    .autoPagingToArray({ limit: 10 });
	assert.deepEqual(all.map((x) => x.id), [rest.id, r.id]);
	let err;
	try {
		await stripe.refunds.create({ payment: p.id, amount: 1 });
	} catch (e) {
		err = e;
	}
	assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError,
	    String(err));
	assert.equal(err.code, 'charge_already_refunded');
	assert.equal(err.param, 'payment');
});
