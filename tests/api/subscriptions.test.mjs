// Subscriptions (API.md "Prices, subscriptions, payment schedules"; issue
// 5 "What must work"): the seed's "Recurring payments" curl sent as
// written, the seed's SaaS example (a customer at sign-up, then
// subscriptions.create({customer, price: 'price_monthly_pro'}) naming a
// price by its lookup key), `price` and `items[0][price]` in JSON and form
// bodies, both payment_behavior values, the first period charged to the
// default payment method, the calendar period, validation, retrieve, list
// with its filters and cursors, cancel_at_period_end, DELETE, live mode,
// test clock customers, events, idempotency and permissions. What
// pesaswap-jobs does later (renewals, retries, expiry) is in
// billing.test.mjs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail } from '../lib/openapi.mjs';

let acct;	// this file's account
let other;	// another account, for isolation
let monthly;	// a monthly price of acct (test mode)
before(async () => {
	acct = await newAccount('api-subscriptions');
	other = await newAccount('api-subscriptions-other');
	monthly = await price({ unit_amount: 2900, nickname: 'Pro monthly' });
});

// The brief's key order of the subscription object.
const SUB_KEYS = ['id', 'object', 'customer', 'price', 'status',
    'current_period_start', 'current_period_end', 'cancel_at_period_end',
    'canceled_at', 'latest_payment', 'test_clock', 'metadata', 'created',
    'livemode'];

// The -d argument of the seed's subscription example, byte for byte (curl
// sends it as is), with the customer id a placeholder: the seed's
// cust_1NvQI2eZvKYlo2C0 cannot exist in our account. Its price id is kept
// as written: a price with that lookup key makes it resolve.
const SEED_PRICE = 'price_1NvQI2eZvKYlo2C1';
const seedBody = (customer) => `{
    "customer": "${customer}",
    "price": "${SEED_PRICE}",
    "payment_behavior": "default_incomplete"
  }`;
const CURL = { 'User-Agent': 'curl/7.88.1', Accept: '*/*' };

const subscribe = (json, key = acct.testKey, headers = {}) =>
    call('/v1/subscriptions', { method: 'POST', key, json, headers });
const subscribeForm = (form, key = acct.testKey) =>
    call('/v1/subscriptions', { method: 'POST', key, form });
const getSub = (id, key = acct.testKey) =>
    call(`/v1/subscriptions/${id}`, { key });
const update = (id, json, key = acct.testKey) =>
    call(`/v1/subscriptions/${id}`, { method: 'POST', key, json });
const cancel = (id, key = acct.testKey) =>
    call(`/v1/subscriptions/${id}`, { method: 'DELETE', key });
const list = (qs = '', key = acct.testKey) =>
    call(`/v1/subscriptions${qs ? '?' + qs : ''}`, { key });
const getPayment = async (id, key = acct.testKey) =>
    expectOk(await call(`/v1/payments/${id}`, { key }));

async function price(extra = {}, key = acct.testKey) {
	return expectOk(await call('/v1/prices', { method: 'POST', key,
	    json: { unit_amount: 1000, currency: 'usd',
	    recurring: { interval: 'month' }, ...extra } }));
}

async function newCustomer(key = acct.testKey, extra = {}) {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: { name: 'Subscriber', email: uniqEmail('sub'), ...extra } }));
}

// A customer whose default payment method is TOKEN, saved.
async function customerPaying(token, key = acct.testKey) {
	const c = await newCustomer(key);
	const pm = expectOk(await call(`/v1/customers/${c.id}/payment_methods`,
	    { method: 'POST', key, json: { payment_method: token } }));
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'POST', key,
	    json: { invoice_settings: { default_payment_method: pm.id } } }));
	return { customer: c, pm };
}

async function subscribed(json, key = acct.testKey) {
	return expectOk(await subscribe(json, key));
}

// Every subscription of a query, newest first.
async function listAll(qs = '', key = acct.testKey) {
	const out = [];
	let cursor = null;
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 100, 'too many pages');
		const l = expectOk(await list(`limit=100${qs ? '&' + qs : ''}` +
		    (cursor ? `&starting_after=${cursor}` : ''), key));
		out.push(...l.data);
		if (!l.has_more)
			return out;
		cursor = l.data[l.data.length - 1].id;
	}
}

// The newest subscription and payment of KEY's account and mode.
async function newest(key) {
	const sub = expectOk(await list('limit=1', key)).data[0]?.id ?? null;
	const pay = expectOk(await call('/v1/payments?limit=1', { key }))
	    .data[0]?.id ?? null;
	return { sub, pay };
}

// Runs FN (a refused create) and checks that no subscription and no
// payment was written.
async function refusedWritesNothing(fn, key = acct.testKey) {
	const before = await newest(key);
	const e = await fn();
	assert.deepEqual(await newest(key), before,
	    'a refused create stored a subscription or a payment');
	return e;
}

// The events of TYPE whose object is ID, oldest first.
async function eventsAbout(type, id, key = acct.testKey) {
	const out = [];
	let cursor = null;
	for (let pages = 0; pages < 100; pages++) {
		const l = expectOk(await call(`/v1/events?type=${type}&limit=100` +
		    (cursor ? `&starting_after=${cursor}` : ''), { key }));
		out.push(...l.data.filter((e) => e.data.object.id === id));
		if (!l.has_more)
			break;
		cursor = l.data[l.data.length - 1].id;
	}
	return out.reverse();
}

// Calendar arithmetic in UTC as the brief says: months keep the anchor's
// day, clamped to the month's last day.
function addMonths(t, n) {
	const d = new Date(t * 1000);
	const y = d.getUTCFullYear(), m = d.getUTCMonth() + n;
	const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
	return Date.UTC(y, m, Math.min(d.getUTCDate(), last), d.getUTCHours(),
	    d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
}

const utc = (y, m, d) => Date.UTC(y, m - 1, d) / 1000;

// The first payment of subscription S: the price charged for period 1.
function assertFirstPayment(p, s, pr, status) {
	assert.equal(p.id, s.latest_payment);
	assert.equal(p.amount, pr.unit_amount);
	assert.equal(p.currency, pr.currency);
	assert.equal(p.customer, s.customer);
	assert.equal(p.status, status);
	assert.deepEqual(p.metadata, { subscription: s.id });
	assert.equal(p.description, `Subscription ${s.id}, period 1`);
}

// ---------------------------------------------------- the seed's examples

test('seed_subscription_curl_as_written_starts_incomplete_with_a_pending_payment', async () => {
	const acc = await newAccount('api-subscriptions-seed');
	const pr = await price({ unit_amount: 4900, lookup_key: SEED_PRICE },
	    acc.testKey);
	const c = await newCustomer(acc.testKey);
	const r = await call('/v1/subscriptions', { method: 'POST',
	    headers: { ...CURL, Authorization: `Bearer ${acc.testKey}`,
	    'Content-Type': 'application/json' }, body: seedBody(c.id) });
	const s = expectOk(r);
	const now = Math.floor(Date.now() / 1000);
	assert.deepEqual(Object.keys(s), SUB_KEYS);
	assert.match(s.id, /^sub_[0-9A-Za-z]{16}$/);
	assert.equal(s.object, 'subscription');
	assert.equal(s.customer, c.id);
	assert.equal(s.price, pr.id);
	assert.equal(s.status, 'incomplete');
	assert.equal(s.cancel_at_period_end, false);
	assert.equal(s.canceled_at, null);
	assert.equal(s.test_clock, null);
	assert.deepEqual(s.metadata, {});
	assert.equal(s.livemode, false);
	assert.ok(Math.abs(s.created - now) < 120);
	assert.match(s.latest_payment ?? '', /^pay_[0-9A-Za-z]{16}$/);
	const p = await getPayment(s.latest_payment, acc.testKey);
	assertFirstPayment(p, s, pr, 'pending');
	assert.equal(p.failure_code, null);
	// not charged: no payment event about it
	assert.deepEqual(await eventsAbout('payment.succeeded', p.id,
	    acc.testKey), []);
	assert.deepEqual(await eventsAbout('payment.failed', p.id,
	    acc.testKey), []);
	assert.deepEqual(expectOk(await getSub(s.id, acc.testKey)), s);
});

test('seed_subscription_curl_with_basic_auth_works_too', async () => {
	const acc = await newAccount('api-subscriptions-seed-basic');
	await price({ lookup_key: SEED_PRICE }, acc.testKey);
	const c = await newCustomer(acc.testKey);
	const s = expectOk(await call('/v1/subscriptions', { method: 'POST',
	    basic: acc.testKey, headers: { ...CURL,
	    'Content-Type': 'application/json' }, body: seedBody(c.id) }));
	assert.equal(s.status, 'incomplete');
});

test('seed_saas_example_customer_at_signup_then_price_monthly_pro', async () => {
	const acc = await newAccount('api-subscriptions-saas');
	const pro = await price({ unit_amount: 2900, lookup_key:
	    'price_monthly_pro' }, acc.testKey);
	const user = { name: 'Jane Signup', email: uniqEmail('saas'), id: 'u_42' };
	const customer = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acc.testKey, json: { name: user.name, email: user.email,
	    metadata: { user_id: user.id } } }));
	const subscription = expectOk(await subscribe({ customer: customer.id,
	    price: 'price_monthly_pro' }, acc.testKey));
	assert.equal(subscription.customer, customer.id);
	assert.equal(subscription.price, pro.id);
	assert.equal(subscription.status, 'active');
	const p = await getPayment(subscription.latest_payment, acc.testKey);
	assertFirstPayment(p, subscription, pro, 'succeeded');
});

// ------------------------------------------------------------ the price

test('create_answers_every_field_in_the_documented_order', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id,
	    metadata: { plan: 'pro' } });
	assert.deepEqual(Object.keys(s), SUB_KEYS);
	assert.equal(s.status, 'active');
	assert.deepEqual(s.metadata, { plan: 'pro' });
	assert.equal(s.current_period_start, s.created);
	assert.equal(s.current_period_end, addMonths(s.current_period_start, 1));
});

test('items_0_price_as_stripe_clients_send_it_form_encoded', async () => {
	const c = await newCustomer();
	const s = expectOk(await subscribeForm(`customer=${c.id}` +
	    `&items[0][price]=${monthly.id}`));
	assert.equal(s.price, monthly.id);
	assert.equal(s.status, 'active');
});

test('items_0_price_form_encoded_with_percent_encoded_brackets', async () => {
	const c = await newCustomer();
	const s = expectOk(await subscribeForm(`customer=${c.id}` +
	    `&items%5B0%5D%5Bprice%5D=${monthly.id}`));
	assert.equal(s.price, monthly.id);
});

test('items_as_a_json_array', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id,
	    items: [{ price: monthly.id }] });
	assert.equal(s.price, monthly.id);
});

test('items_0_price_may_be_a_lookup_key', async () => {
	const pr = await price({ lookup_key: uniq('items_lk_') });
	const c = await newCustomer();
	const s = expectOk(await subscribeForm(`customer=${c.id}` +
	    `&items[0][price]=${pr.lookup_key}`));
	assert.equal(s.price, pr.id);
});

test('price_missing_is_parameter_missing', async () => {
	const c = await newCustomer();
	await refusedWritesNothing(async () => expectError(await subscribe({
	    customer: c.id }), 400, 'invalid_request_error', 'parameter_missing',
	    'price'));
});

test('unknown_price_is_resource_missing_price', async () => {
	const c = await newCustomer();
	await refusedWritesNothing(async () => expectError(await subscribe({
	    customer: c.id, price: 'price_ZZZZZZZZZZZZZZZZ' }), 400,
	    'invalid_request_error', 'resource_missing', 'price'));
	await refusedWritesNothing(async () => expectError(await subscribe({
	    customer: c.id, price: 'no_such_lookup_key' }), 400,
	    'invalid_request_error', 'resource_missing', 'price'));
});

test('unknown_items_0_price_is_resource_missing_items_0_price', async () => {
	const c = await newCustomer();
	await refusedWritesNothing(async () => expectError(await subscribeForm(
	    `customer=${c.id}&items[0][price]=price_ZZZZZZZZZZZZZZZZ`), 400,
	    'invalid_request_error', 'resource_missing', 'items[0][price]'));
});

test('an_inactive_price_cannot_start_a_subscription', async () => {
	const pr = await price({ lookup_key: uniq('retired_') });
	expectOk(await call(`/v1/prices/${pr.id}`, { method: 'POST',
	    key: acct.testKey, json: { active: false } }));
	const c = await newCustomer();
	for (const ref of [pr.id, pr.lookup_key])
		await refusedWritesNothing(async () => expectError(
		    await subscribe({ customer: c.id, price: ref }), 400,
		    'invalid_request_error', 'resource_missing', 'price'));
	await refusedWritesNothing(async () => expectError(await subscribeForm(
	    `customer=${c.id}&items[0][price]=${pr.id}`), 400,
	    'invalid_request_error', 'resource_missing', 'items[0][price]'));
});

test('deactivating_a_price_leaves_its_subscriptions_alone', async () => {
	const pr = await price();
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: pr.id });
	expectOk(await call(`/v1/prices/${pr.id}`, { method: 'POST',
	    key: acct.testKey, json: { active: false } }));
	assert.deepEqual(expectOk(await getSub(s.id)), s);
});

test('another_accounts_or_modes_price_is_resource_missing', async () => {
	const theirs = await price({}, other.testKey);
	const live = await price({}, acct.liveKey);
	const c = await newCustomer();
	for (const id of [theirs.id, live.id])
		await refusedWritesNothing(async () => expectError(
		    await subscribe({ customer: c.id, price: id }), 400,
		    'invalid_request_error', 'resource_missing', 'price'));
});

// --------------------------------------------------------- the customer

test('customer_missing_is_parameter_missing', async () => {
	await refusedWritesNothing(async () => expectError(await subscribe({
	    price: monthly.id }), 400, 'invalid_request_error',
	    'parameter_missing', 'customer'));
});

test('unknown_customer_is_resource_missing_customer', async () => {
	await refusedWritesNothing(async () => expectError(await subscribe({
	    customer: 'cust_ZZZZZZZZZZZZZZZZ', price: monthly.id }), 400,
	    'invalid_request_error', 'resource_missing', 'customer'));
});

test('a_deleted_customer_is_resource_missing_customer', async () => {
	const c = await newCustomer();
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: acct.testKey }));
	await refusedWritesNothing(async () => expectError(await subscribe({
	    customer: c.id, price: monthly.id }), 400, 'invalid_request_error',
	    'resource_missing', 'customer'));
});

test('another_accounts_customer_is_resource_missing_customer', async () => {
	const theirs = await newCustomer(other.testKey);
	await refusedWritesNothing(async () => expectError(await subscribe({
	    customer: theirs.id, price: monthly.id }), 400,
	    'invalid_request_error', 'resource_missing', 'customer'));
});

test('unknown_parameter_is_refused', async () => {
	const c = await newCustomer();
	await refusedWritesNothing(async () => expectError(await subscribe({
	    customer: c.id, price: monthly.id, trial_period_days: 7 }), 400,
	    'invalid_request_error', 'parameter_unknown', 'trial_period_days'));
});

// ------------------------------------------------------ payment_behavior

test('allow_incomplete_is_the_default_and_charges_the_first_period', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	assert.equal(s.status, 'active');
	const p = await getPayment(s.latest_payment);
	assertFirstPayment(p, s, monthly, 'succeeded');
	assert.equal(p.payment_method, null, 'no method: the test processor ' +
	    'succeeds without one');
	assert.equal(p.created, s.created);
});

test('allow_incomplete_sent_explicitly_is_the_same', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id,
	    payment_behavior: 'allow_incomplete' });
	assert.equal(s.status, 'active');
	assert.equal((await getPayment(s.latest_payment)).status, 'succeeded');
});

test('the_first_period_is_charged_to_the_default_payment_method', async () => {
	const { customer, pm } = await customerPaying('pm_card_mastercard');
	const s = await subscribed({ customer: customer.id, price: monthly.id });
	assert.equal(s.status, 'active');
	const p = await getPayment(s.latest_payment);
	assertFirstPayment(p, s, monthly, 'succeeded');
	assert.equal(p.payment_method, pm.id);
});

test('a_declining_default_payment_method_leaves_it_incomplete', async () => {
	const { customer, pm } = await customerPaying('pm_card_chargeDeclined');
	const s = await subscribed({ customer: customer.id, price: monthly.id });
	assert.equal(s.status, 'incomplete');
	const p = await getPayment(s.latest_payment);
	assertFirstPayment(p, s, monthly, 'failed');
	assert.equal(p.failure_code, 'card_declined');
	assert.equal(p.payment_method, pm.id);
	assert.equal((await eventsAbout('payment.failed', p.id)).length, 1);
});

test('insufficient_funds_leaves_it_incomplete_too', async () => {
	const { customer } = await customerPaying('pm_card_insufficientFunds');
	const s = await subscribed({ customer: customer.id, price: monthly.id });
	assert.equal(s.status, 'incomplete');
	assert.equal((await getPayment(s.latest_payment)).failure_code,
	    'insufficient_funds');
});

test('default_incomplete_leaves_the_first_payment_pending_and_uncharged', async () => {
	const { customer } = await customerPaying('pm_card_visa');
	const s = await subscribed({ customer: customer.id, price: monthly.id,
	    payment_behavior: 'default_incomplete' });
	assert.equal(s.status, 'incomplete');
	const p = await getPayment(s.latest_payment);
	assertFirstPayment(p, s, monthly, 'pending');
	assert.equal(p.failure_code, null);
	const a = expectOk(await call(`/v1/customers/${customer.id}/analytics`,
	    { key: acct.testKey }));
	assert.equal(a.total_payments, 0, 'a pending payment is no payment yet');
});

test('default_incomplete_with_a_declining_method_is_still_pending', async () => {
	const { customer } = await customerPaying('pm_card_chargeDeclined');
	const s = await subscribed({ customer: customer.id, price: monthly.id,
	    payment_behavior: 'default_incomplete' });
	assert.equal(s.status, 'incomplete');
	assert.equal((await getPayment(s.latest_payment)).status, 'pending');
});

for (const behavior of ['error_if_incomplete', 'pending_if_incomplete', '',
    'ALLOW_INCOMPLETE']) {
	test(`payment_behavior_${JSON.stringify(behavior)}_is_refused`, async () => {
		const c = await newCustomer();
		await refusedWritesNothing(async () => expectError(
		    await subscribe({ customer: c.id, price: monthly.id,
		    payment_behavior: behavior }), 400, 'invalid_request_error',
		    'parameter_invalid', 'payment_behavior'));
	});
}

test('a_free_price_makes_an_active_subscription', async () => {
	const free = await price({ unit_amount: 0 });
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: free.id });
	assert.equal(s.status, 'active');
	if (s.latest_payment !== null) {
		const p = await getPayment(s.latest_payment);
		assert.equal(p.amount, 0);
		assert.equal(p.status, 'succeeded');
	}
});

// ---------------------------------------------------------------- periods

test('periods_follow_the_price_interval', async () => {
	const c = await newCustomer();
	for (const [interval, count, secs] of [['day', 1, 86400],
	    ['day', 3, 3 * 86400], ['week', 1, 7 * 86400],
	    ['week', 2, 14 * 86400]]) {
		const pr = await price({ recurring: { interval,
		    interval_count: count } });
		const s = await subscribed({ customer: c.id, price: pr.id });
		assert.equal(s.current_period_end - s.current_period_start, secs,
		    `${count} ${interval}`);
	}
	for (const [interval, count, months] of [['month', 1, 1],
	    ['month', 3, 3], ['year', 1, 12], ['year', 2, 24]]) {
		const pr = await price({ recurring: { interval,
		    interval_count: count } });
		const s = await subscribed({ customer: c.id, price: pr.id });
		assert.equal(s.current_period_end,
		    addMonths(s.current_period_start, months), `${count} ${interval}`);
	}
});

// A customer on a test clock lives at the clock's time.
async function clockCustomer(frozen, key = acct.testKey) {
	const clock = expectOk(await call('/v1/test_helpers/test_clocks',
	    { method: 'POST', key, json: { frozen_time: frozen } }));
	const c = await newCustomer(key, { test_clock: clock.id });
	return { clock, customer: c };
}

for (const [label, start, end] of [
    ['31_january_2024_ends_29_february', utc(2024, 1, 31), utc(2024, 2, 29)],
    ['31_january_2025_ends_28_february', utc(2025, 1, 31), utc(2025, 2, 28)],
    ['30_november_ends_30_december', utc(2024, 11, 30), utc(2024, 12, 30)],
    ['31_december_ends_31_january', utc(2024, 12, 31), utc(2025, 1, 31)],
    ['31_march_ends_30_april', utc(2024, 3, 31), utc(2024, 4, 30)]]) {
	test(`a_monthly_period_started_${label}`, async () => {
		const { clock, customer } = await clockCustomer(start + 3600);
		const s = await subscribed({ customer: customer.id,
		    price: monthly.id });
		assert.equal(s.test_clock, clock.id);
		assert.equal(s.current_period_start, start + 3600);
		assert.equal(s.current_period_end, end + 3600);
	});
}

test('a_yearly_period_started_29_february_ends_28_february', async () => {
	const yearly = await price({ recurring: { interval: 'year' } });
	const { customer } = await clockCustomer(utc(2024, 2, 29));
	const s = await subscribed({ customer: customer.id, price: yearly.id });
	assert.equal(s.current_period_end, utc(2025, 2, 28));
});

test('a_test_clock_customer_is_charged_at_the_clock_time', async () => {
	const t = utc(2024, 1, 31) + 12 * 3600;
	const { clock, customer } = await clockCustomer(t);
	const s = await subscribed({ customer: customer.id, price: monthly.id });
	assert.equal(s.test_clock, clock.id);
	assert.equal(s.status, 'active');
	assert.equal(s.current_period_start, t);
	const p = await getPayment(s.latest_payment);
	assert.equal(p.created, t, 'the payment is made at the clock time');
});

test('a_customer_without_a_clock_has_test_clock_null', async () => {
	const c = await newCustomer();
	assert.equal(c.test_clock, null);
	const s = await subscribed({ customer: c.id, price: monthly.id });
	assert.equal(s.test_clock, null);
});

// -------------------------------------------------------------- live mode

test('live_mode_allow_incomplete_answers_processor_not_configured_and_writes_nothing', async () => {
	const pr = await price({}, acct.liveKey);
	const c = await newCustomer(acct.liveKey);
	for (const json of [{ customer: c.id, price: pr.id },
	    { customer: c.id, price: pr.id, payment_behavior: 'allow_incomplete' }])
		await refusedWritesNothing(async () => expectError(
		    await subscribe(json, acct.liveKey), 400,
		    'invalid_request_error', 'processor_not_configured'),
		    acct.liveKey);
});

test('live_and_test_subscriptions_do_not_see_each_other', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	expectError(await getSub(s.id, acct.liveKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.ok(!(await listAll('', acct.liveKey)).some((x) => x.id === s.id));
});

test('a_test_customer_cannot_subscribe_with_a_live_key', async () => {
	const c = await newCustomer();
	const pr = await price({}, acct.liveKey);
	await refusedWritesNothing(async () => expectError(await subscribe({
	    customer: c.id, price: pr.id }, acct.liveKey), 400,
	    'invalid_request_error', 'resource_missing', 'customer'),
	    acct.liveKey);
});

// --------------------------------------------------------------- retrieve

test('retrieve_answers_the_subscription', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	assert.deepEqual(expectOk(await getSub(s.id)), s);
});

test('retrieve_unknown_or_foreign_subscription_answers_404', async () => {
	const theirs = await subscribed({ customer: (await newCustomer(
	    other.testKey)).id, price: (await price({}, other.testKey)).id },
	    other.testKey);
	for (const id of ['sub_ZZZZZZZZZZZZZZZZ', theirs.id])
		expectError(await getSub(id), 404, 'invalid_request_error',
		    'resource_missing', 'id');
});

test('wrong_methods_answer_405_with_allow', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	for (const [path, method] of [['/v1/subscriptions', 'DELETE'],
	    ['/v1/subscriptions', 'PUT'], [`/v1/subscriptions/${s.id}`, 'PATCH']]) {
		const r = await call(path, { method, key: acct.testKey });
		expectError(r, 405, 'invalid_request_error', 'method_not_allowed');
		assert.ok(r.headers.get('allow'), `${method} ${path}: no Allow`);
	}
});

// ------------------------------------------------------------------- list

test('list_is_newest_first_with_url_and_has_more', async () => {
	const acc = await newAccount('api-subscriptions-list');
	const pr = await price({}, acc.testKey);
	const c = await newCustomer(acc.testKey);
	const made = [];
	for (let i = 0; i < 5; i++)
		made.push(await subscribed({ customer: c.id, price: pr.id },
		    acc.testKey));
	const l = expectOk(await list('limit=3', acc.testKey));
	assert.equal(l.object, 'list');
	assert.equal(l.url, '/v1/subscriptions');
	assert.equal(l.has_more, true);
	assert.deepEqual(l.data, made.slice(2).reverse());
	const back = expectOk(await list(`ending_before=${made[1].id}&limit=2`,
	    acc.testKey));
	assert.deepEqual(back.data.map((s) => s.id), [made[3].id, made[2].id]);
	const walked = [];
	let cursor = null;
	for (let pages = 0; pages < 10; pages++) {
		const p = expectOk(await list('limit=2' + (cursor ?
		    `&starting_after=${cursor}` : ''), acc.testKey));
		walked.push(...p.data.map((s) => s.id));
		if (!p.has_more)
			break;
		cursor = p.data[p.data.length - 1].id;
	}
	assert.deepEqual(walked, made.map((s) => s.id).reverse());
});

test('list_filters_by_customer', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	const sa = await subscribed({ customer: a.id, price: monthly.id });
	const sb1 = await subscribed({ customer: b.id, price: monthly.id });
	const sb2 = await subscribed({ customer: b.id, price: monthly.id });
	assert.deepEqual((await listAll(`customer=${a.id}`)).map((s) => s.id),
	    [sa.id]);
	assert.deepEqual((await listAll(`customer=${b.id}`)).map((s) => s.id),
	    [sb2.id, sb1.id]);
	assert.deepEqual(await listAll('customer=cust_ZZZZZZZZZZZZZZZZ'), []);
});

test('list_filters_by_status', async () => {
	const c = await newCustomer();
	const active = await subscribed({ customer: c.id, price: monthly.id });
	const incomplete = await subscribed({ customer: c.id, price: monthly.id,
	    payment_behavior: 'default_incomplete' });
	const canceled = expectOk(await cancel((await subscribed({
	    customer: c.id, price: monthly.id })).id));
	const q = (status) => listAll(`customer=${c.id}&status=${status}`);
	assert.deepEqual((await q('active')).map((s) => s.id), [active.id]);
	assert.deepEqual((await q('incomplete')).map((s) => s.id),
	    [incomplete.id]);
	assert.deepEqual((await q('canceled')).map((s) => s.id), [canceled.id]);
	assert.deepEqual(await q('past_due'), []);
	for (const s of await listAll('status=active'))
		assert.equal(s.status, 'active');
});

test('list_never_shows_another_accounts_subscriptions', async () => {
	const theirs = await subscribed({ customer: (await newCustomer(
	    other.testKey)).id, price: (await price({}, other.testKey)).id },
	    other.testKey);
	assert.ok(!(await listAll()).some((s) => s.id === theirs.id));
	assert.deepEqual(await listAll(`customer=${theirs.customer}`), []);
});

test('unknown_or_foreign_cursors_and_bad_list_parameters_are_refused', async () => {
	for (const param of ['starting_after', 'ending_before'])
		expectError(await list(`${param}=sub_ZZZZZZZZZZZZZZZZ`), 400,
		    'invalid_request_error', 'resource_missing', param);
	for (const qs of ['limit=0', 'limit=101'])
		expectError(await list(qs), 400, 'invalid_request_error',
		    'parameter_invalid', 'limit');
	expectError(await list('price=price_ZZZZZZZZZZZZZZZZ'), 400,
	    'invalid_request_error', 'parameter_unknown', 'price');
});

// ----------------------------------------------------------------- update

test('cancel_at_period_end_true_keeps_it_active_until_the_period_ends', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	const u = expectOk(await update(s.id, { cancel_at_period_end: true }));
	assert.deepEqual(u, { ...s, cancel_at_period_end: true });
	assert.deepEqual(expectOk(await getSub(s.id)), u);
	const back = expectOk(await update(s.id, { cancel_at_period_end: false }));
	assert.deepEqual(back, s);
	const ev = await eventsAbout('subscription.updated', s.id);
	assert.deepEqual(ev.map((e) => e.data.object.cancel_at_period_end),
	    [true, false]);
});

test('cancel_at_period_end_form_encoded_as_stripe_clients_send_it', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	const u = expectOk(await call(`/v1/subscriptions/${s.id}`, {
	    method: 'POST', key: acct.testKey,
	    form: 'cancel_at_period_end=true' }));
	assert.equal(u.cancel_at_period_end, true);
});

test('cancel_at_period_end_with_a_non_boolean_is_refused', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	expectError(await update(s.id, { cancel_at_period_end: 'soon' }), 400,
	    'invalid_request_error', 'parameter_invalid', 'cancel_at_period_end');
	assert.deepEqual(expectOk(await getSub(s.id)), s);
});

test('update_metadata_merges', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id,
	    metadata: { a: '1', b: '2' } });
	const u = expectOk(await update(s.id, { metadata: { a: '', c: '3' } }));
	assert.deepEqual(u.metadata, { b: '2', c: '3' });
	assert.equal(u.status, s.status);
});

test('update_of_fields_that_cannot_change_is_refused', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	for (const [json, param] of [[{ price: monthly.id }, 'price'],
	    [{ customer: c.id }, 'customer'], [{ status: 'canceled' }, 'status']])
		expectError(await update(s.id, json), 400, 'invalid_request_error',
		    'parameter_unknown', param);
	assert.deepEqual(expectOk(await getSub(s.id)), s);
});

test('update_unknown_subscription_answers_404', async () => {
	expectError(await update('sub_ZZZZZZZZZZZZZZZZ',
	    { cancel_at_period_end: true }), 404, 'invalid_request_error',
	    'resource_missing', 'id');
});

test('cancel_at_period_end_on_a_canceled_subscription_is_refused', async () => {
	const c = await newCustomer();
	const s = expectOk(await cancel((await subscribed({ customer: c.id,
	    price: monthly.id })).id));
	expectError(await update(s.id, { cancel_at_period_end: true }), 400,
	    'invalid_request_error', 'parameter_invalid', 'cancel_at_period_end');
	assert.deepEqual(expectOk(await getSub(s.id)), s);
});

// ----------------------------------------------------------------- DELETE

test('delete_cancels_now', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	const d = expectOk(await cancel(s.id));
	const now = Math.floor(Date.now() / 1000);
	assert.deepEqual(Object.keys(d), SUB_KEYS);
	assert.equal(d.status, 'canceled');
	assert.ok(Math.abs(d.canceled_at - now) < 120, `canceled_at ${d.canceled_at}`);
	assert.deepEqual({ ...d, status: s.status, canceled_at: null }, s,
	    'nothing else changes');
	assert.deepEqual(expectOk(await getSub(s.id)), d);
	const ev = await eventsAbout('subscription.deleted', s.id);
	assert.equal(ev.length, 1);
	assert.deepEqual(ev[0].data.object, d);
});

test('a_second_delete_is_refused_with_parameter_invalid', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	const d = expectOk(await cancel(s.id));
	expectError(await cancel(s.id), 400, 'invalid_request_error',
	    'parameter_invalid');
	assert.deepEqual(expectOk(await getSub(s.id)), d);
	assert.equal((await eventsAbout('subscription.deleted', s.id)).length, 1);
});

test('delete_cancels_an_incomplete_subscription', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id,
	    payment_behavior: 'default_incomplete' });
	assert.equal(expectOk(await cancel(s.id)).status, 'canceled');
});

test('delete_of_a_clock_customers_subscription_uses_the_clock_time', async () => {
	const t = utc(2024, 6, 15);
	const { customer } = await clockCustomer(t);
	const s = await subscribed({ customer: customer.id, price: monthly.id });
	assert.equal(expectOk(await cancel(s.id)).canceled_at, t);
});

test('delete_unknown_or_foreign_subscription_answers_404', async () => {
	const theirs = await subscribed({ customer: (await newCustomer(
	    other.testKey)).id, price: (await price({}, other.testKey)).id },
	    other.testKey);
	for (const id of ['sub_ZZZZZZZZZZZZZZZZ', theirs.id])
		expectError(await cancel(id), 404, 'invalid_request_error',
		    'resource_missing', 'id');
	assert.equal(expectOk(await getSub(theirs.id, other.testKey)).status,
	    'active');
});

// ----------------------------------------------------------------- events

test('create_writes_subscription_created_with_the_subscription', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	const ev = await eventsAbout('subscription.created', s.id);
	assert.equal(ev.length, 1);
	assert.deepEqual(ev[0].data.object, s);
	assert.equal(ev[0].livemode, false);
	const paid = await eventsAbout('payment.succeeded', s.latest_payment);
	assert.equal(paid.length, 1);
	assert.deepEqual(paid[0].data.object.metadata, { subscription: s.id });
});

// ------------------------------------------- idempotency and permissions

test('a_retried_create_with_the_same_idempotency_key_charges_once', async () => {
	const c = await newCustomer();
	const idem = { 'Idempotency-Key': uniq('idem-sub-') };
	const a = await subscribe({ customer: c.id, price: monthly.id },
	    acct.testKey, idem);
	const b = await subscribe({ customer: c.id, price: monthly.id },
	    acct.testKey, idem);
	assert.deepEqual(expectOk(b), expectOk(a));
	assert.equal(b.headers.get('idempotent-replayed'), 'true');
	assert.equal((await listAll(`customer=${c.id}`)).length, 1);
	assert.equal(expectOk(await call(`/v1/payments?customer=${c.id}`,
	    { key: acct.testKey })).data.length, 1);
});

test('subscriptions_read_key_reads_but_cannot_write', async () => {
	const c = await newCustomer();
	const s = await subscribed({ customer: c.id, price: monthly.id });
	const { key } = await newKey(acct, 'test', 'subscriptions:read');
	assert.deepEqual(expectOk(await getSub(s.id, key)), s);
	expectOk(await list('', key));
	expectError(await subscribe({ customer: c.id, price: monthly.id }, key),
	    403, 'permission_error', 'permission_denied');
	expectError(await update(s.id, { cancel_at_period_end: true }, key), 403,
	    'permission_error', 'permission_denied');
	expectError(await cancel(s.id, key), 403, 'permission_error',
	    'permission_denied');
	assert.deepEqual(expectOk(await getSub(s.id)), s);
});

test('subscriptions_write_key_subscribes_without_customers_permission', async () => {
	const c = await newCustomer();
	const { key } = await newKey(acct, 'test', 'subscriptions:write');
	const s = await subscribed({ customer: c.id, price: monthly.id }, key);
	assert.equal(s.status, 'active');
	expectOk(await cancel(s.id, key));
});

test('customers_and_payments_keys_cannot_touch_subscriptions', async () => {
	const { key } = await newKey(acct, 'test',
	    ['customers:write', 'payments:write']);
	expectError(await list('', key), 403, 'permission_error',
	    'permission_denied');
	const c = await newCustomer();
	expectError(await subscribe({ customer: c.id, price: monthly.id }, key),
	    403, 'permission_error', 'permission_denied');
});
