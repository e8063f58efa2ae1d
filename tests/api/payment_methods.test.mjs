// Saved payment methods (API.md "Payment methods (saved)"): attach by test
// token, list, detach, the customer's default
// (invoice_settings[default_payment_method]) and payments charging it,
// declining saved methods, events, isolation and permissions.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct;	// this file's account
let other;	// another account, for isolation
before(async () => {
	acct = await newAccount('api-payment-methods');
	other = await newAccount('api-payment-methods-other');
});

// API.md's key order of the payment method object.
const PM_KEYS = ['id', 'object', 'customer', 'type', 'card', 'mobile_money',
    'created', 'livemode'];

async function newCustomer(key = acct.testKey) {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: { name: 'Saver', email: uniqEmail('pm') } }));
}
const pmPath = (c) => `/v1/customers/${c.id ?? c}/payment_methods`;
const attach = (c, json, key = acct.testKey) =>
    call(pmPath(c), { method: 'POST', key, json });
async function attached(c, token, key = acct.testKey) {
	return expectOk(await attach(c, { payment_method: token }, key));
}
const listPms = (c, qs = '', key = acct.testKey) =>
    call(pmPath(c) + (qs ? '?' + qs : ''), { key });
const detach = (c, pm, key = acct.testKey) =>
    call(`${pmPath(c)}/${pm.id ?? pm}`, { method: 'DELETE', key });
const getCustomer = async (c, key = acct.testKey) =>
    expectOk(await call(`/v1/customers/${c.id ?? c}`, { key }));
const setDefault = (c, pm, key = acct.testKey) =>
    call(`/v1/customers/${c.id ?? c}`, { method: 'PUT', key,
    json: { invoice_settings: { default_payment_method: pm } } });
const pay = (json, key = acct.testKey) =>
    call('/v1/payments', { method: 'POST', key, json });
async function allPms(c, key = acct.testKey) {
	const l = expectOk(await listPms(c, 'limit=100', key));
	assert.equal(l.has_more, false);
	return l.data;
}

// ---------------------------------------------------------------- attach

test('attach_pm_card_visa_answers_a_card_payment_method', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_visa');
	const now = Math.floor(Date.now() / 1000);
	assert.deepEqual(Object.keys(pm), PM_KEYS);
	assert.match(pm.id, /^pm_[0-9A-Za-z]{16}$/);
	assert.equal(pm.object, 'payment_method');
	assert.equal(pm.customer, c.id);
	assert.equal(pm.type, 'card');
	assert.equal(pm.card.brand, 'visa');
	assert.equal(pm.card.last4, '4242');
	assert.ok(Number.isInteger(pm.card.exp_month) && pm.card.exp_month >= 1 &&
	    pm.card.exp_month <= 12);
	assert.ok(pm.card.exp_year >= new Date().getUTCFullYear(),
	    'a test card is not expired');
	assert.deepEqual(Object.keys(pm.card),
	    ['brand', 'last4', 'exp_month', 'exp_year']);
	assert.equal(pm.mobile_money, null);
	assert.ok(Math.abs(pm.created - now) < 120);
	assert.equal(pm.livemode, false);
	assert.deepEqual(await allPms(c), [pm]);
});

// Stripe's test cards: brand and last four.
for (const [token, brand, last4] of [
    ['pm_card_mastercard', 'mastercard', '4444'],
    ['pm_card_amex', 'amex', '8431'],
    ['pm_card_discover', 'discover', '1117'],
    ['pm_card_visa_debit', 'visa', '5556'],
    ['tok_visa', 'visa', '4242'],
    ['tok_mastercard', 'mastercard', '4444'],
    ['pm_card_chargeDeclined', 'visa', '0002'],
    ['pm_card_insufficientFunds', 'visa', '9995']]) {
	test(`attach_${token}_saves_${brand}_ending_${last4}`, async () => {
		const c = await newCustomer();
		const pm = await attached(c, token);
		assert.equal(pm.type, 'card');
		assert.equal(pm.card.brand, brand);
		assert.equal(pm.card.last4, last4);
		assert.equal(pm.mobile_money, null);
	});
}

test('attach_mpesa_token_saves_a_mobile_money_method', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'tok_mpesa_254712345678');
	assert.deepEqual(Object.keys(pm), PM_KEYS);
	assert.equal(pm.type, 'mobile_money');
	assert.equal(pm.card, null);
	assert.deepEqual(pm.mobile_money, { provider: 'mpesa', phone_last4: '5678' });
	assert.deepEqual(await allPms(c), [pm]);
});

test('mpesa_tokens_of_9_and_15_digits_are_accepted', async () => {
	const c = await newCustomer();
	assert.equal((await attached(c, 'tok_mpesa_254700001')).mobile_money
	    .phone_last4, '0001');
	assert.equal((await attached(c, 'tok_mpesa_254700000000987'))
	    .mobile_money.phone_last4, '0987');
});

test('attach_accepts_token_and_source_as_the_param_name', async () => {
	const c = await newCustomer();
	const a = expectOk(await attach(c, { token: 'pm_card_mastercard' }));
	assert.equal(a.card.brand, 'mastercard');
	const b = expectOk(await attach(c, { source: 'tok_mpesa_254700000111' }));
	assert.equal(b.type, 'mobile_money');
	assert.deepEqual(await allPms(c), [b, a]);
});

test('attach_form_encoded_as_stripe_clients_send_it', async () => {
	const c = await newCustomer();
	const pm = expectOk(await call(pmPath(c), { method: 'POST',
	    key: acct.testKey, form: 'payment_method=pm_card_amex' }));
	assert.equal(pm.card.brand, 'amex');
});

for (const token of ['pm_card_bogus', 'tok_bogus', 'pm_1NvQI2eZvKYlo2C9',
    'tok_mpesa_12345678', 'tok_mpesa_1234567890123456', 'tok_mpesa_',
    'tok_mpesa_+254700000000', 'card_visa']) {
	test(`attach_unknown_token_${token}_is_refused_with_resource_missing`, async () => {
		const c = await newCustomer();
		expectError(await attach(c, { payment_method: token }), 400,
		    'invalid_request_error', 'resource_missing', 'payment_method');
		assert.deepEqual(await allPms(c), []);
	});
}

test('attach_without_a_token_is_parameter_missing', async () => {
	const c = await newCustomer();
	expectError(await attach(c, {}), 400, 'invalid_request_error',
	    'parameter_missing', 'payment_method');
	expectError(await attach(c, { payment_method: '' }), 400,
	    'invalid_request_error', 'parameter_missing', 'payment_method');
	assert.deepEqual(await allPms(c), []);
});

test('attach_with_an_unknown_parameter_is_refused', async () => {
	const c = await newCustomer();
	expectError(await attach(c, { payment_method: 'pm_card_visa', card: 'x' }),
	    400, 'invalid_request_error', 'parameter_unknown', 'card');
	assert.deepEqual(await allPms(c), []);
});

test('attach_a_raw_card_number_is_refused_and_nothing_stored', async () => {
	const c = await newCustomer();
	const e = expectError(await attach(c, { payment_method: '4242424242424242' }),
	    400, 'invalid_request_error', 'sensitive_data_rejected',
	    'payment_method');
	assert.doesNotMatch(e.message, /4242/);
	expectError(await call(pmPath(c), { method: 'POST', key: acct.testKey,
	    form: 'source=4242+4242+4242+4242' }), 400, 'invalid_request_error',
	    'sensitive_data_rejected', 'source');
	assert.deepEqual(await allPms(c), []);
});

test('attach_to_an_unknown_customer_answers_404', async () => {
	expectError(await attach('cust_1NvQI2eZvKYlo2C0',
	    { payment_method: 'pm_card_visa' }), 404, 'invalid_request_error',
	    'resource_missing', 'id');
});

test('attach_to_a_deleted_customer_answers_404', async () => {
	const c = await newCustomer();
	expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	expectError(await attach(c, { payment_method: 'pm_card_visa' }), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	expectError(await listPms(c), 404, 'invalid_request_error',
	    'resource_missing', 'id');
});

test('another_accounts_or_modes_customer_answers_404', async () => {
	const theirs = await newCustomer(other.testKey);
	const live = await newCustomer(acct.liveKey);
	for (const c of [theirs, live]) {
		expectError(await attach(c, { payment_method: 'pm_card_visa' }), 404,
		    'invalid_request_error', 'resource_missing', 'id');
		expectError(await listPms(c), 404, 'invalid_request_error',
		    'resource_missing', 'id');
	}
	assert.deepEqual(await allPms(theirs, other.testKey), []);
	assert.deepEqual(await allPms(live, acct.liveKey), []);
});

// ------------------------------------------------------------------ list

test('list_is_newest_first_with_the_customer_url', async () => {
	const c = await newCustomer();
	const made = [];
	for (const t of ['pm_card_visa', 'pm_card_mastercard', 'tok_mpesa_254700000222'])
		made.push(await attached(c, t));
	const l = expectOk(await listPms(c));
	assert.equal(l.object, 'list');
	assert.equal(l.url, `/v1/customers/${c.id}/payment_methods`);
	assert.equal(l.has_more, false);
	assert.deepEqual(l.data, [...made].reverse());
});

test('list_shows_only_this_customers_methods', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	const pa = await attached(a, 'pm_card_visa');
	const pb = await attached(b, 'pm_card_amex');
	assert.deepEqual(await allPms(a), [pa]);
	assert.deepEqual(await allPms(b), [pb]);
});

test('list_pages_with_cursors_without_gaps_or_repeats', async () => {
	const c = await newCustomer();
	const ids = [];
	for (let i = 0; i < 11; i++)
		ids.push((await attached(c, i % 2 ? 'pm_card_visa' :
		    `tok_mpesa_2547000${String(i).padStart(5, '0')}`)).id);
	const newest = [...ids].reverse();
	const seen = [];
	let cursor = null;
	for (let pages = 1; ; pages++) {
		assert.ok(pages <= 3);
		const l = expectOk(await listPms(c, 'limit=4' +
		    (cursor ? `&starting_after=${cursor}` : '')));
		seen.push(...l.data.map((p) => p.id));
		if (!l.has_more)
			break;
		cursor = l.data[l.data.length - 1].id;
	}
	assert.deepEqual(seen, newest);
	const back = expectOk(await listPms(c, `limit=4&ending_before=${ids[0]}`));
	assert.deepEqual(back.data.map((p) => p.id), ids.slice(1, 5).reverse());
	assert.equal(back.has_more, true);
	expectError(await listPms(c, 'starting_after=pm_1NvQI2eZvKYlo2C9'), 400,
	    'invalid_request_error', 'resource_missing', 'starting_after');
	expectError(await listPms(c, 'limit=0'), 400, 'invalid_request_error',
	    'parameter_invalid', 'limit');
});

// ---------------------------------------------------------------- detach

test('detach_answers_the_method_with_customer_null_and_unlists_it', async () => {
	const c = await newCustomer();
	const keep = await attached(c, 'pm_card_visa');
	const pm = await attached(c, 'pm_card_mastercard');
	const d = expectOk(await detach(c, pm));
	assert.deepEqual(d, { ...pm, customer: null });
	assert.deepEqual(Object.keys(d), PM_KEYS);
	assert.deepEqual(await allPms(c), [keep]);
});

test('detach_twice_answers_404', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_visa');
	expectOk(await detach(c, pm));
	expectError(await detach(c, pm), 404, 'invalid_request_error',
	    'resource_missing', 'id');
});

test('detach_unknown_or_another_customers_method_answers_404', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	const pb = await attached(b, 'pm_card_visa');
	expectError(await detach(a, 'pm_1NvQI2eZvKYlo2C9'), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	expectError(await detach(a, pb), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	expectError(await detach('cust_1NvQI2eZvKYlo2C0', pb), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	// another account cannot detach it either
	expectError(await detach(b, pb, other.testKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.deepEqual(await allPms(b), [pb]);
});

test('detach_wrong_method_answers_405', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_visa');
	const res = await call(`${pmPath(c)}/${pm.id}`, { key: acct.testKey });
	expectError(res, 405, 'invalid_request_error', 'method_not_allowed');
	assert.equal(res.headers.get('allow'), 'DELETE');
	const res2 = await call(pmPath(c), { method: 'DELETE', key: acct.testKey });
	expectError(res2, 405, 'invalid_request_error', 'method_not_allowed');
	assert.equal(res2.headers.get('allow'), 'GET, POST');
});

// ------------------------------------------------- default and payments

test('default_payment_method_is_set_read_and_cleared', async () => {
	const c = await newCustomer();
	assert.deepEqual(c.invoice_settings, { default_payment_method: null });
	const pm = await attached(c, 'pm_card_visa');
	const u = expectOk(await setDefault(c, pm.id));
	assert.deepEqual(u.invoice_settings, { default_payment_method: pm.id });
	assert.deepEqual(await getCustomer(c), u);
	// Stripe's form, through POST
	const pm2 = await attached(c, 'pm_card_amex');
	const u2 = expectOk(await call(`/v1/customers/${c.id}`, { method: 'POST',
	    key: acct.testKey,
	    form: `invoice_settings[default_payment_method]=${pm2.id}` }));
	assert.equal(u2.invoice_settings.default_payment_method, pm2.id);
	// "" clears it
	const u3 = expectOk(await call(`/v1/customers/${c.id}`, { method: 'POST',
	    key: acct.testKey, form: 'invoice_settings[default_payment_method]=' }));
	assert.equal(u3.invoice_settings.default_payment_method, null);
	assert.equal((await getCustomer(c)).invoice_settings.default_payment_method,
	    null);
	// and in JSON, "" or null
	for (const clear of ['', null]) {
		expectOk(await setDefault(c, pm.id));
		const u4 = expectOk(await setDefault(c, clear));
		assert.equal(u4.invoice_settings.default_payment_method, null,
		    `clearing with ${JSON.stringify(clear)}`);
	}
});

test('default_must_be_attached_to_that_customer', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	const pb = await attached(b, 'pm_card_visa');
	const theirs = await attached(await newCustomer(other.testKey),
	    'pm_card_visa', other.testKey);
	for (const id of [pb.id, 'pm_1NvQI2eZvKYlo2C9', theirs.id, 'pm_card_visa'])
		expectError(await setDefault(a, id), 400, 'invalid_request_error',
		    'resource_missing', 'invoice_settings[default_payment_method]');
	// a detached method cannot become the default
	const pa = await attached(a, 'pm_card_visa');
	expectOk(await detach(a, pa));
	expectError(await setDefault(a, pa.id), 400, 'invalid_request_error',
	    'resource_missing', 'invoice_settings[default_payment_method]');
	assert.deepEqual(await getCustomer(a), a);
});

test('payment_without_payment_method_charges_the_default', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_mastercard');
	expectOk(await setDefault(c, pm.id));
	const p = expectOk(await pay({ amount: 2500, currency: 'usd',
	    customer: c.id }));
	assert.equal(p.status, 'succeeded');
	assert.equal(p.payment_method, pm.id);
	assert.equal(expectOk(await call(`/v1/payments/${p.id}`,
	    { key: acct.testKey })).payment_method, pm.id);
});

test('payment_without_default_has_payment_method_null', async () => {
	const c = await newCustomer();
	await attached(c, 'pm_card_visa');	// saved, but not the default
	const p = expectOk(await pay({ amount: 100, currency: 'usd',
	    customer: c.id }));
	assert.equal(p.payment_method, null);
	assert.equal(p.status, 'succeeded');
});

test('payment_with_an_explicit_saved_method_charges_it', async () => {
	const c = await newCustomer();
	const def = await attached(c, 'pm_card_visa');
	const pm = await attached(c, 'tok_mpesa_254700000333');
	expectOk(await setDefault(c, def.id));
	const p = expectOk(await pay({ amount: 5000, currency: 'kes',
	    customer: c.id, payment_method: pm.id }));
	assert.equal(p.payment_method, pm.id);
	assert.equal(p.status, 'succeeded');
});

test('a_declining_saved_default_declines_the_payment', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_chargeDeclined');
	expectOk(await setDefault(c, pm.id));
	const e = expectError(await pay({ amount: 2500, currency: 'usd',
	    customer: c.id }), 402, 'card_error', 'card_declined',
	    'payment_method');
	assert.equal(e.payment.payment_method, pm.id);
	assert.equal(e.payment.status, 'failed');
	assert.equal(e.payment.failure_code, 'card_declined');
	assert.deepEqual(expectOk(await call(`/v1/payments/${e.payment.id}`,
	    { key: acct.testKey })), e.payment);
});

test('a_declining_saved_method_named_explicitly_declines', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_insufficientFunds');
	const e = expectError(await pay({ amount: 2500, currency: 'usd',
	    customer: c.id, payment_method: pm.id }), 402, 'card_error',
	    'insufficient_funds', 'payment_method');
	assert.equal(e.decline_code, 'insufficient_funds');
	assert.equal(e.payment.payment_method, pm.id);
	assert.equal(e.payment.failure_code, 'insufficient_funds');
});

test('a_saved_method_of_another_customer_cannot_be_charged', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	const pb = await attached(b, 'pm_card_visa');
	expectError(await pay({ amount: 100, currency: 'usd', customer: a.id,
	    payment_method: pb.id }), 400, 'invalid_request_error',
	    'resource_missing', 'payment_method');
	const l = expectOk(await call(`/v1/payments?customer=${a.id}`,
	    { key: acct.testKey }));
	assert.deepEqual(l.data, []);
});

test('a_saved_method_of_another_account_cannot_be_charged', async () => {
	const theirs = await attached(await newCustomer(other.testKey),
	    'pm_card_visa', other.testKey);
	const c = await newCustomer();
	for (const json of [{ customer: c.id }, {}])
		expectError(await pay({ amount: 100, currency: 'usd',
		    payment_method: theirs.id, ...json }), 400,
		    'invalid_request_error', 'resource_missing', 'payment_method');
});

test('a_detached_method_cannot_be_charged', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_visa');
	expectOk(await detach(c, pm));
	for (const json of [{ customer: c.id }, {}])
		expectError(await pay({ amount: 100, currency: 'usd',
		    payment_method: pm.id, ...json }), 400, 'invalid_request_error',
		    'resource_missing', 'payment_method');
});

test('a_saved_method_is_not_charged_without_its_customer', async () => {
	// API.md: payment_method is a saved pm_ attached to the customer (or a
	// test token); with no customer there is none it could be attached to
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_visa');
	expectError(await pay({ amount: 100, currency: 'usd',
	    payment_method: pm.id }), 400, 'invalid_request_error',
	    'resource_missing', 'payment_method');
});

test('detaching_the_default_clears_it_and_payments_fall_back_to_none', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_visa');
	const u = expectOk(await setDefault(c, pm.id));
	expectOk(await detach(c, pm));
	const after = await getCustomer(c);
	assert.equal(after.invoice_settings.default_payment_method, null);
	assert.ok(after.updated >= u.updated);
	const p = expectOk(await pay({ amount: 100, currency: 'usd',
	    customer: c.id }));
	assert.equal(p.payment_method, null);
});

test('detaching_another_method_keeps_the_default', async () => {
	const c = await newCustomer();
	const def = await attached(c, 'pm_card_visa');
	const other1 = await attached(c, 'pm_card_amex');
	expectOk(await setDefault(c, def.id));
	expectOk(await detach(c, other1));
	assert.equal((await getCustomer(c)).invoice_settings.default_payment_method,
	    def.id);
});

test('a_saved_mpesa_default_is_charged', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'tok_mpesa_254700000444');
	expectOk(await setDefault(c, pm.id));
	const p = expectOk(await pay({ amount: 150000, currency: 'KES',
	    customer: c.id }));
	assert.equal(p.payment_method, pm.id);
	assert.equal(p.currency, 'kes');
});

// ---------------------------------------------------------------- events

test('attach_and_detach_write_events_with_the_method', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_discover');
	const d = expectOk(await detach(c, pm));
	const find = async (type) => {
		const l = expectOk(await call(`/v1/events?type=${type}&limit=10`,
		    { key: acct.testKey }));
		return l.data.find((e) => e.data.object.id === pm.id);
	};
	const at = await find('payment_method.attached');
	assert.ok(at, 'no payment_method.attached event');
	assert.deepEqual(at.data.object, pm);
	const de = await find('payment_method.detached');
	assert.ok(de, 'no payment_method.detached event');
	assert.deepEqual(de.data.object, d);
	assert.equal(de.data.object.customer, null);
});

test('a_refused_attach_writes_no_event', async () => {
	const c = await newCustomer();
	const before = expectOk(await call('/v1/events?limit=1',
	    { key: acct.testKey })).data[0].id;
	expectError(await attach(c, { payment_method: 'pm_card_bogus' }), 400,
	    'invalid_request_error', 'resource_missing', 'payment_method');
	const after = expectOk(await call('/v1/events?limit=1',
	    { key: acct.testKey })).data[0].id;
	assert.equal(after, before);
});

// ----------------------------------------------------------- permissions

test('customers_read_key_lists_methods_but_cannot_attach_or_detach', async () => {
	const c = await newCustomer();
	const pm = await attached(c, 'pm_card_visa');
	const k = await newKey(acct.id, 'test', 'customers:read');
	assert.deepEqual(expectOk(await listPms(c, '', k.key)).data, [pm]);
	expectError(await attach(c, { payment_method: 'pm_card_visa' }, k.key),
	    403, 'permission_error', 'permission_denied', null);
	expectError(await detach(c, pm, k.key), 403, 'permission_error',
	    'permission_denied', null);
	assert.deepEqual(await allPms(c), [pm]);
});

test('customers_write_key_attaches_and_detaches', async () => {
	const c = await newCustomer();
	const k = await newKey(acct.id, 'test', 'customers:write');
	const pm = await attached(c, 'pm_card_visa', k.key);
	assert.deepEqual(expectOk(await listPms(c, '', k.key)).data, [pm]);
	expectOk(await detach(c, pm, k.key));
});

test('payments_keys_cannot_manage_saved_methods', async () => {
	const c = await newCustomer();
	const k = await newKey(acct.id, 'test', 'payments:read,payments:write');
	expectError(await attach(c, { payment_method: 'pm_card_visa' }, k.key),
	    403, 'permission_error', 'permission_denied', null);
	expectError(await listPms(c, '', k.key), 403, 'permission_error',
	    'permission_denied', null);
});
