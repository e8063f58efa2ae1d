// POST /v1/payments, GET /v1/payments/:id, GET /v1/payments (API.md
// "Payments", the seed's "Using customers in payments" and "Retrieving
// customer payments"): the seed's examples as written, validation of
// amount, currency, customer and payment method, the simulated processor's
// outcomes (402 with the failed payment), live mode writing nothing, the
// deleted customer's payments, list filters and cursors, idempotency, raw
// card numbers refused, events and permissions. Every refused request is
// followed by a read-back proving nothing was written.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail, afterSecond,
    validateResponse } from '../lib/openapi.mjs';

let acct;	// this file's account
let other;	// another account, for isolation
before(async () => {
	acct = await newAccount('api-payments');
	other = await newAccount('api-payments-other');
});

// What curl adds by itself (besides Host and Content-Length).
const CURL = { 'User-Agent': 'curl/7.88.1', Accept: '*/*' };

// API.md's key order of the payment object.
const PAYMENT_KEYS = ['id', 'object', 'amount', 'amount_refunded',
    'currency', 'customer', 'description', 'status', 'refunded',
    'failure_code', 'payment_method', 'metadata', 'created', 'livemode'];

const pay = (json, key = acct.testKey, headers = {}) => call('/v1/payments',
    { method: 'POST', key, json, headers });
const payForm = (form, key = acct.testKey) => call('/v1/payments',
    { method: 'POST', key, form });
const list = (qs = '', key = acct.testKey) =>
    call(`/v1/payments${qs ? '?' + qs : ''}`, { key });
const getPayment = (id, key = acct.testKey) =>
    call(`/v1/payments/${id}`, { key });

async function newCustomer(key = acct.testKey, name = 'Payer') {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: { name, email: uniqEmail('pay') } }));
}

// A payment that must succeed.
async function paid(json, key = acct.testKey) {
	const p = expectOk(await pay(json, key));
	assert.equal(p.status, 'succeeded', JSON.stringify(p));
	return p;
}

// Every payment of a query, walked with starting_after (newest first).
async function listAll(qs, key = acct.testKey) {
	const out = [];
	let cursor = null;
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 100, 'too many pages');
		const l = expectOk(await list(`limit=100&${qs}` +
		    (cursor ? `&starting_after=${cursor}` : ''), key));
		out.push(...l.data);
		if (!l.has_more)
			return out;
		cursor = l.data[l.data.length - 1].id;
	}
}

// The newest payment of the key's account and mode (id or null), and
// the newest event: what a refused request must leave unchanged.
async function newestPayment(key = acct.testKey) {
	const l = expectOk(await list('limit=1', key));
	return l.data[0]?.id ?? null;
}
async function newestEvent(key = acct.testKey) {
	const l = expectOk(await call('/v1/events?limit=1', { key }));
	return l.data[0]?.id ?? null;
}

// A refused create: the error, then no new payment and no new event.
async function refused(json, status, code, param, key = acct.testKey) {
	const [p0, e0] = [await newestPayment(key), await newestEvent(key)];
	const e = expectError(await pay(json, key), status,
	    'invalid_request_error', code, param);
	assert.equal(await newestPayment(key), p0, 'a refused payment was stored');
	assert.equal(await newestEvent(key), e0, 'a refused payment wrote an event');
	return e;
}

// ------------------------------------------------------------ the seed

// The -d argument of the seed's payment example, byte for byte, with the
// customer id of a customer of this account.
const seedBody = (customer) => `{
    "amount": 2500,
    "currency": "usd",
    "customer": "${customer}",
    "description": "Premium subscription"
  }`;

test('seed_payment_example_as_written_answers_a_succeeded_payment', async () => {
	const c = await newCustomer();
	const p = expectOk(await call('/v1/payments', {
		method: 'POST',
		headers: { ...CURL, Authorization: `Bearer ${acct.testKey}`,
		    'Content-Type': 'application/json' },
		body: seedBody(c.id),
	}));
	const now = Math.floor(Date.now() / 1000);
	assert.deepEqual(Object.keys(p), PAYMENT_KEYS);
	assert.match(p.id, /^pay_[0-9A-Za-z]{16}$/);
	assert.equal(p.object, 'payment');
	assert.equal(p.amount, 2500);
	assert.equal(p.currency, 'usd');
	assert.equal(p.customer, c.id);
	assert.equal(p.description, 'Premium subscription');
	assert.equal(p.status, 'succeeded');
	assert.equal(p.failure_code, null);
	assert.equal(p.payment_method, null);
	assert.deepEqual(p.metadata, {});
	assert.ok(Math.abs(p.created - now) < 120, `created ${p.created} is not now`);
	assert.equal(p.livemode, false);
	assert.deepEqual(expectOk(await getPayment(p.id)), p);
});

test('seed_customer_payments_example_as_written_lists_the_payments', async () => {
	const c = await newCustomer();
	const a = await paid({ amount: 2500, currency: 'usd', customer: c.id,
	    description: 'Premium subscription' });
	const b = await paid({ amount: 900, currency: 'usd', customer: c.id });
	await paid({ amount: 100, currency: 'usd' });	// no customer
	const l = expectOk(await call(`/v1/payments?customer=${c.id}`, {
		method: 'GET',
		headers: { ...CURL, Authorization: `Bearer ${acct.testKey}` },
	}));
	assert.equal(l.object, 'list');
	assert.equal(l.url, '/v1/payments');
	assert.equal(l.has_more, false);
	assert.deepEqual(l.data, [b, a]);
});

test('seed_payment_example_with_basic_auth_answers_the_payment', async () => {
	const c = await newCustomer();
	const p = expectOk(await call('/v1/payments', {
		method: 'POST', basic: acct.testKey,
		headers: { ...CURL, 'Content-Type': 'application/json' },
		body: seedBody(c.id),
	}));
	assert.equal(p.customer, c.id);
	assert.equal(p.amount, 2500);
});

test('seed_e_commerce_example_payment_with_only_amount_currency_customer', async () => {
	const c = await newCustomer();
	const p = await paid({ amount: 12999, currency: 'usd', customer: c.id });
	assert.equal(p.description, null);
	assert.equal(p.customer, c.id);
});

// ------------------------------------------------------- create: inputs

test('payment_without_customer_has_customer_null', async () => {
	const p = await paid({ amount: 500, currency: 'kes' });
	assert.equal(p.customer, null);
	assert.deepEqual(expectOk(await getPayment(p.id)), p);
});

test('form_encoded_payment_with_bracket_metadata', async () => {
	const c = await newCustomer();
	const p = expectOk(await payForm(`amount=2500&currency=kes&customer=${c.id}` +
	    '&description=Order+42&metadata[order_id]=42&metadata[channel]=web+shop'));
	assert.equal(p.amount, 2500);
	assert.equal(p.currency, 'kes');
	assert.equal(p.description, 'Order 42');
	assert.deepEqual(p.metadata, { order_id: '42', channel: 'web shop' });
	assert.deepEqual(expectOk(await getPayment(p.id)), p);
});

test('json_metadata_is_kept', async () => {
	const p = await paid({ amount: 700, currency: 'usd',
	    metadata: { order_id: '6735', note: 'gift' } });
	assert.deepEqual(p.metadata, { order_id: '6735', note: 'gift' });
});

for (const [given, want] of [['USD', 'usd'], ['KeS', 'kes'], ['eur', 'eur'],
    ['JPY', 'jpy']]) {
	test(`currency_${given}_is_answered_${want}`, async () => {
		const p = await paid({ amount: 1000, currency: given });
		assert.equal(p.currency, want);
		assert.equal(expectOk(await getPayment(p.id)).currency, want);
	});
}

test('amount_1_and_99999999999_are_accepted', async () => {
	assert.equal((await paid({ amount: 1, currency: 'usd' })).amount, 1);
	assert.equal((await paid({ amount: 99999999999, currency: 'usd' })).amount,
	    99999999999);
});

test('form_amount_digits_are_accepted', async () => {
	const p = expectOk(await payForm({ amount: '4200', currency: 'usd' }));
	assert.equal(p.amount, 4200);
});

for (const amount of [0, -1, 1.5, 'abc', 100000000000, -2500, 1e20, true,
    [2500]]) {
	test(`amount_${JSON.stringify(amount)}_is_refused_with_amount_invalid`, async () => {
		await refused({ amount, currency: 'usd' }, 400, 'amount_invalid',
		    'amount');
	});
}

for (const amount of ['0', '-1', '1.5', 'abc', '100000000000', '25 00']) {
	test(`form_amount_${JSON.stringify(amount)}_is_refused_with_amount_invalid`, async () => {
		const p0 = await newestPayment();
		expectError(await payForm({ amount, currency: 'usd' }), 400,
		    'invalid_request_error', 'amount_invalid', 'amount');
		assert.equal(await newestPayment(), p0);
	});
}

test('amount_missing_is_parameter_missing', async () => {
	await refused({ currency: 'usd' }, 400, 'parameter_missing', 'amount');
});

test('currency_missing_is_parameter_missing', async () => {
	await refused({ amount: 100 }, 400, 'parameter_missing', 'currency');
});

for (const currency of ['xyz', 'XYZ', 'us', 'usdd', 'u$d', 'dollar']) {
	test(`currency_${JSON.stringify(currency)}_is_refused_with_currency_invalid`, async () => {
		await refused({ amount: 100, currency }, 400, 'currency_invalid',
		    'currency');
	});
}

test('currency_of_the_wrong_json_type_is_refused', async () => {
	// a number is a wrong type (contract.md: parameter_invalid) or simply
	// not an ISO 4217 code (currency_invalid): either names the param
	for (const currency of [840, true, ['usd']])
		await refused({ amount: 100, currency }, 400,
		    ['currency_invalid', 'parameter_invalid'], 'currency');
});

test('unknown_customer_is_refused_with_resource_missing_customer', async () => {
	await refused({ amount: 100, currency: 'usd',
	    customer: 'cust_1NvQI2eZvKYlo2C0' }, 400, 'resource_missing',
	    'customer');
});

// MariaDB compares CHAR with trailing spaces ignored: the id must still
// be exactly one of ours, or the payment would name a customer the client
// never sent.
test('customer_id_with_trailing_spaces_is_refused_with_resource_missing_customer', async () => {
	const c = await newCustomer();
	await refused({ amount: 100, currency: 'usd', customer: `${c.id}   ` },
	    400, 'resource_missing', 'customer');
	assert.deepEqual(await listAll(`customer=${c.id}`), []);
});

test('another_accounts_customer_is_refused_with_resource_missing_customer', async () => {
	const theirs = await newCustomer(other.testKey);
	await refused({ amount: 100, currency: 'usd', customer: theirs.id }, 400,
	    'resource_missing', 'customer');
	// and nothing was written on their side either
	assert.deepEqual((await listAll(`customer=${theirs.id}`,
	    other.testKey)), []);
});

test('a_live_customer_is_refused_with_a_test_key', async () => {
	const live = await newCustomer(acct.liveKey);
	await refused({ amount: 100, currency: 'usd', customer: live.id }, 400,
	    'resource_missing', 'customer');
});

test('description_of_1000_characters_is_accepted_1001_refused', async () => {
	const p = await paid({ amount: 100, currency: 'usd',
	    description: 'd'.repeat(1000) });
	assert.equal(p.description.length, 1000);
	await refused({ amount: 100, currency: 'usd', description: 'd'.repeat(1001) },
	    400, 'parameter_invalid', 'description');
});

test('unknown_parameter_is_refused', async () => {
	await refused({ amount: 100, currency: 'usd', captur: true }, 400,
	    'parameter_unknown', 'captur');
});

test('unknown_payment_method_token_is_refused_with_resource_missing', async () => {
	for (const payment_method of ['pm_card_bogus', 'tok_bogus',
	    'pm_1NvQI2eZvKYlo2C9', 'tok_mpesa_12345678', 'tok_mpesa_1234567890123456',
	    'tok_mpesa_2547000000ab'])
		await refused({ amount: 100, currency: 'usd', payment_method }, 400,
		    'resource_missing', 'payment_method');
});

// ---------------------------------------------------- processor outcomes

for (const token of ['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex',
    'pm_card_discover', 'pm_card_visa_debit', 'tok_visa', 'tok_mastercard',
    'tok_mpesa_254700000000']) {
	test(`test_token_${token}_succeeds_and_is_recorded_on_the_payment`, async () => {
		const c = await newCustomer();
		const p = await paid({ amount: 1500, currency: 'kes', customer: c.id,
		    payment_method: token });
		assert.equal(p.payment_method, token);
		assert.equal(p.failure_code, null);
		assert.deepEqual(expectOk(await getPayment(p.id)), p);
	});
}

for (const [token, code] of [['pm_card_chargeDeclined', 'card_declined'],
    ['pm_card_insufficientFunds', 'insufficient_funds']]) {
	test(`${token}_is_recorded_failed_and_answered_402_${code}`, async () => {
		const c = await newCustomer();
		const res = await pay({ amount: 2500, currency: 'usd',
		    customer: c.id, description: 'declines', payment_method: token });
		const e = expectError(res, 402, 'card_error', code, 'payment_method');
		assert.equal(e.decline_code, code);
		const p = e.payment;
		assert.deepEqual(Object.keys(p), PAYMENT_KEYS);
		assert.match(p.id, /^pay_[0-9A-Za-z]{16}$/);
		assert.equal(p.status, 'failed');
		assert.equal(p.failure_code, code);
		assert.equal(p.payment_method, token);
		assert.equal(p.amount, 2500);
		assert.equal(p.customer, c.id);
		assert.equal(p.description, 'declines');
		// recorded: retrievable and listed with status failed
		assert.deepEqual(expectOk(await getPayment(p.id)), p);
		assert.deepEqual(await listAll(`customer=${c.id}`), [p]);
		assert.deepEqual(await listAll(`customer=${c.id}&status=failed`), [p]);
		assert.deepEqual(await listAll(`customer=${c.id}&status=succeeded`), []);
	});
}

test('declined_payment_without_customer_is_recorded_too', async () => {
	const e = expectError(await pay({ amount: 300, currency: 'eur',
	    payment_method: 'pm_card_chargeDeclined' }), 402, 'card_error',
	    'card_declined', 'payment_method');
	assert.equal(e.payment.customer, null);
	assert.equal(expectOk(await getPayment(e.payment.id)).status, 'failed');
	assert.equal(await newestPayment(), e.payment.id);
});

// ------------------------------------------------------------ live mode

test('live_mode_payment_answers_400_processor_not_configured_and_writes_nothing', async () => {
	const a = await newAccount('api-payments-live');
	const live = await newCustomer(a.liveKey);
	const e0 = await newestEvent(a.liveKey);
	for (const json of [{ amount: 2500, currency: 'usd' },
	    { amount: 2500, currency: 'usd', customer: live.id },
	    { amount: 2500, currency: 'usd', customer: live.id,
		payment_method: 'pm_card_visa' },
	    { amount: 2500, currency: 'usd', payment_method: 'pm_card_chargeDeclined' }]) {
		const res = await pay(json, a.liveKey);
		expectError(res, 400, 'invalid_request_error',
		    'processor_not_configured', null);
	}
	const l = expectOk(await list('', a.liveKey));
	assert.deepEqual(l.data, []);
	assert.equal(l.has_more, false);
	assert.equal(await newestEvent(a.liveKey), e0, 'live mode wrote an event');
	const an = expectOk(await call(`/v1/customers/${live.id}/analytics`,
	    { key: a.liveKey }));
	assert.equal(an.total_payments, 0);
	assert.equal(an.failed_payments, 0);
	assert.equal(an.livemode, true);
	// nor in test mode
	assert.deepEqual(expectOk(await list('', a.testKey)).data, []);
});

test('live_mode_lists_never_show_test_payments', async () => {
	const a = await newAccount('api-payments-modes');
	const p = await paid({ amount: 100, currency: 'usd' }, a.testKey);
	assert.deepEqual(expectOk(await list('', a.liveKey)).data, []);
	expectError(await getPayment(p.id, a.liveKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.deepEqual(expectOk(await list('', a.testKey)).data, [p]);
});

// ------------------------------------------------------ deleted customer

test('deleted_customer_payments_stay_listable_and_new_ones_are_refused', async () => {
	const c = await newCustomer();
	const a = await paid({ amount: 2500, currency: 'usd', customer: c.id });
	const b = expectError(await pay({ amount: 800, currency: 'usd',
	    customer: c.id, payment_method: 'pm_card_chargeDeclined' }), 402,
	    'card_error', 'card_declined').payment;
	expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	await refused({ amount: 100, currency: 'usd', customer: c.id }, 400,
	    'resource_missing', 'customer');
	const l = expectOk(await list(`customer=${c.id}`));
	assert.deepEqual(l.data, [b, a]);
	assert.deepEqual(await listAll(`customer=${c.id}&status=succeeded`), [a]);
	const got = expectOk(await getPayment(a.id));
	assert.deepEqual(got, a);
	assert.equal(got.customer, c.id);
});

// ------------------------------------------------------------- retrieve

test('retrieve_unknown_payment_answers_404_with_param_id', async () => {
	const e = expectError(await getPayment('pay_1NvQI2eZvKYlo2C0'), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.match(e.message, /pay_1NvQI2eZvKYlo2C0/);
});

test('retrieve_another_accounts_payment_answers_404', async () => {
	const p = await paid({ amount: 100, currency: 'usd' }, other.testKey);
	expectError(await getPayment(p.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	expectError(await getPayment(p.id, other.liveKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.deepEqual(expectOk(await getPayment(p.id, other.testKey)), p);
});

test('a_customer_id_is_not_a_payment_id', async () => {
	const c = await newCustomer();
	expectError(await getPayment(c.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
});

test('wrong_methods_answer_405_with_allow', async () => {
	const p = await paid({ amount: 100, currency: 'usd' });
	let res = await call(`/v1/payments/${p.id}`,
	    { method: 'DELETE', key: acct.testKey });
	expectError(res, 405, 'invalid_request_error', 'method_not_allowed');
	assert.equal(res.headers.get('allow'), 'GET');
	res = await call('/v1/payments', { method: 'PUT', key: acct.testKey,
	    json: { amount: 1 } });
	expectError(res, 405, 'invalid_request_error', 'method_not_allowed');
	assert.equal(res.headers.get('allow'), 'GET, POST');
	assert.deepEqual(expectOk(await getPayment(p.id)), p);
});

test('payments_without_a_key_answer_401', async () => {
	expectError(await call('/v1/payments', { method: 'POST',
	    json: { amount: 100, currency: 'usd' } }), 401,
	    'authentication_error', 'api_key_missing', null);
	expectError(await call('/v1/payments'), 401, 'authentication_error',
	    'api_key_missing', null);
});

// ---------------------------------------------------------------- lists

// A customer with N payments of distinct amounts (oldest first), some
// declined, and one customer-less payment made in between.
async function history(n, declineEvery = 0) {
	const c = await newCustomer();
	const made = [];
	for (let i = 0; i < n; i++) {
		const decline = declineEvery && i % declineEvery === declineEvery - 1;
		const res = await pay({ amount: 100 + i, currency: i % 2 ? 'kes' : 'usd',
		    customer: c.id, ...(decline ?
		    { payment_method: 'pm_card_chargeDeclined' } : {}) });
		made.push(decline ? res.json.error.payment : expectOk(res));
		if (i === Math.floor(n / 2))
			await paid({ amount: 1, currency: 'usd' });
	}
	return { c, made, ids: made.map((p) => p.id) };
}

test('list_is_newest_first_with_url_and_has_more', async () => {
	const { c, made } = await history(12);
	const l = expectOk(await list(`customer=${c.id}&limit=5`));
	assert.equal(l.url, '/v1/payments');
	assert.equal(l.object, 'list');
	assert.equal(l.has_more, true);
	assert.deepEqual(l.data, [...made].reverse().slice(0, 5));
	const d = expectOk(await list(`customer=${c.id}`));
	assert.equal(d.data.length, 10, 'default limit 10');
	assert.equal(d.has_more, true);
});

test('walk_forward_with_starting_after_has_no_gaps_or_repeats', async () => {
	const { c, ids } = await history(23, 5);
	const seen = [];
	let cursor = null, pages = 0;
	for (;;) {
		const l = expectOk(await list(`customer=${c.id}&limit=5` +
		    (cursor ? `&starting_after=${cursor}` : '')));
		pages++;
		assert.ok(pages <= 5, 'more pages than 23 / 5 allows');
		seen.push(...l.data.map((p) => p.id));
		if (!l.has_more) {
			assert.equal(l.data.length, 3, 'last page size');
			break;
		}
		assert.equal(l.data.length, 5);
		cursor = l.data[l.data.length - 1].id;
	}
	assert.equal(pages, 5);
	assert.deepEqual(seen, [...ids].reverse());
	assert.equal(new Set(seen).size, 23);
});

test('walk_backward_with_ending_before_has_no_gaps_or_repeats', async () => {
	const { c, ids } = await history(17, 4);
	const seen = [];
	let cursor = ids[0], pages = 0;
	seen.push(ids[0]);
	for (;;) {
		const l = expectOk(await list(`customer=${c.id}&limit=5` +
		    `&ending_before=${cursor}`));
		pages++;
		assert.ok(pages <= 4, 'more pages than 16 / 5 allows');
		const at = ids.indexOf(cursor);
		assert.deepEqual(l.data.map((p) => p.id),
		    ids.slice(at + 1, at + 6).reverse(), `page ${pages}`);
		seen.push(...l.data.map((p) => p.id).reverse());
		if (!l.has_more)
			break;
		cursor = l.data[0].id;
	}
	assert.deepEqual(seen, ids);
});

test('account_wide_list_walks_every_payment_once', async () => {
	const a = await newAccount('api-payments-walk');
	const made = [];
	const c = await newCustomer(a.testKey);
	for (let i = 0; i < 31; i++)
		made.push(expectOk(await pay({ amount: 10 + i, currency: 'usd',
		    ...(i % 3 ? { customer: c.id } : {}) }, a.testKey)));
	const seen = [];
	let cursor = null;
	for (let pages = 0; pages < 10; pages++) {
		const l = expectOk(await list('limit=4' +
		    (cursor ? `&starting_after=${cursor}` : ''), a.testKey));
		seen.push(...l.data);
		if (!l.has_more)
			break;
		cursor = l.data[l.data.length - 1].id;
	}
	assert.deepEqual(seen, [...made].reverse());
	assert.deepEqual(await listAll('', a.testKey), [...made].reverse());
});

test('status_filter_lists_only_that_status', async () => {
	const { c, made } = await history(9, 3);
	const failed = made.filter((p) => p.status === 'failed').reverse();
	const ok = made.filter((p) => p.status === 'succeeded').reverse();
	assert.equal(failed.length, 3);
	assert.deepEqual(await listAll(`customer=${c.id}&status=failed`), failed);
	assert.deepEqual(await listAll(`customer=${c.id}&status=succeeded`), ok);
	assert.deepEqual(await listAll(`customer=${c.id}&status=pending`), []);
	// without the customer filter too
	const allFailed = await listAll('status=failed');
	assert.ok(allFailed.every((p) => p.status === 'failed'));
	for (const p of failed)
		assert.ok(allFailed.some((q) => q.id === p.id), `${p.id} not listed`);
});

test('status_filter_with_cursor_pages_correctly', async () => {
	const { c, made } = await history(12, 2);
	const failed = made.filter((p) => p.status === 'failed').reverse();
	const first = expectOk(await list(`customer=${c.id}&status=failed&limit=4`));
	assert.deepEqual(first.data, failed.slice(0, 4));
	assert.equal(first.has_more, true);
	const second = expectOk(await list(`customer=${c.id}&status=failed&limit=4` +
	    `&starting_after=${first.data[3].id}`));
	assert.deepEqual(second.data, failed.slice(4));
	assert.equal(second.has_more, false);
});

test('status_filter_refuses_unknown_values', async () => {
	for (const s of ['bogus', 'SUCCEEDED', 'canceled'])
		expectError(await list(`status=${s}`), 400, 'invalid_request_error',
		    'parameter_invalid', 'status');
});

test('customer_filter_of_another_account_lists_nothing', async () => {
	const theirs = await newCustomer(other.testKey);
	await paid({ amount: 100, currency: 'usd', customer: theirs.id },
	    other.testKey);
	const l = expectOk(await list(`customer=${theirs.id}`));
	assert.deepEqual(l.data, []);
	assert.equal(l.has_more, false);
	// and their list never holds our payments
	const ours = await paid({ amount: 100, currency: 'usd' });
	assert.ok(!(await listAll('', other.testKey)).some((p) => p.id === ours.id));
});

test('created_filters_bound_the_list', async () => {
	const c = await newCustomer();
	const a = await paid({ amount: 100, currency: 'usd', customer: c.id });
	await afterSecond(a.created);	/* so that the bounds separate them */
	const b = await paid({ amount: 200, currency: 'usd', customer: c.id });
	assert.ok(b.created > a.created);
	const q = (f) => listAll(`customer=${c.id}&${f}`);
	assert.deepEqual(await q(`created[gte]=${a.created}`), [b, a]);
	assert.deepEqual(await q(`created[gt]=${a.created}`), [b]);
	assert.deepEqual(await q(`created[gte]=${b.created}`), [b]);
	assert.deepEqual(await q(`created[lt]=${b.created}`), [a]);
	assert.deepEqual(await q(`created[lte]=${a.created}`), [a]);
	assert.deepEqual(await q(`created[lte]=${b.created}`), [b, a]);
	assert.deepEqual(await q(`created[gt]=${b.created}`), []);
	assert.deepEqual(await q(`created[lt]=${a.created}`), []);
	assert.deepEqual(await q(`created=${a.created}`), [a]);
	assert.deepEqual(await q(`created[gte]=${a.created}&created[lt]=${b.created}`), [a]);
	assert.deepEqual(await q(`created[gt]=${a.created}&status=succeeded`), [b]);
});

test('bad_list_parameters_are_refused', async () => {
	for (const [qs, param] of [['limit=0', 'limit'], ['limit=101', 'limit'],
	    ['limit=abc', 'limit'], ['created[gt]=abc', 'created[gt]'],
	    ['created[lte]=1.5', 'created[lte]']])
		expectError(await list(qs), 400, 'invalid_request_error',
		    'parameter_invalid', param);
	expectError(await list('foo=1'), 400, 'invalid_request_error',
	    'parameter_unknown', 'foo');
});

test('unknown_or_foreign_cursors_are_refused', async () => {
	const theirs = await paid({ amount: 100, currency: 'usd' }, other.testKey);
	for (const id of ['pay_1NvQI2eZvKYlo2C0', theirs.id]) {
		expectError(await list(`starting_after=${id}`), 400,
		    'invalid_request_error', 'resource_missing', 'starting_after');
		expectError(await list(`ending_before=${id}`), 400,
		    'invalid_request_error', 'resource_missing', 'ending_before');
	}
	const ours = await paid({ amount: 100, currency: 'usd' });
	expectError(await list(`starting_after=${ours.id}&ending_before=${ours.id}`),
	    400, 'invalid_request_error', 'parameter_invalid', 'ending_before');
});

// ---------------------------------------------------------- idempotency

test('a_retried_payment_with_the_same_idempotency_key_charges_once', async () => {
	const c = await newCustomer();
	const key = uniq('idem');
	const body = { amount: 2500, currency: 'usd', customer: c.id };
	const first = await pay(body, acct.testKey, { 'Idempotency-Key': key });
	const p = expectOk(first);
	const again = await pay(body, acct.testKey, { 'Idempotency-Key': key });
	assert.deepEqual(expectOk(again), p);
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.deepEqual(await listAll(`customer=${c.id}`), [p]);
	expectError(await pay({ ...body, amount: 2600 }, acct.testKey,
	    { 'Idempotency-Key': key }), 409, 'idempotency_error',
	    'idempotency_key_reused');
	assert.deepEqual(await listAll(`customer=${c.id}`), [p]);
});

test('a_retried_declined_payment_replays_the_402_without_a_second_payment', async () => {
	const c = await newCustomer();
	const key = uniq('idem');
	const body = { amount: 2500, currency: 'usd', customer: c.id,
	    payment_method: 'pm_card_chargeDeclined' };
	const first = await pay(body, acct.testKey, { 'Idempotency-Key': key });
	const e = expectError(first, 402, 'card_error', 'card_declined');
	// The replay is the first answer byte for byte (API.md "Requests"), so
	// its error.request_id is the first request's, not this Request-Id:
	// checked here by hand instead of by call()'s request_id rule.
	const again = await call('/v1/payments', { method: 'POST',
	    key: acct.testKey, json: body, headers: { 'Idempotency-Key': key },
	    check: false });
	assert.equal(again.status, 402);
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.match(again.headers.get('request-id') ?? '', /^req_[0-9A-Za-z]+$/);
	assert.equal(again.headers.get('stripe-should-retry'), 'false');
	assert.match(again.headers.get('content-type') ?? '', /^application\/json/);
	const v = validateResponse({ method: 'POST', route: '/v1/payments',
	    status: 402, body: again.json });
	assert.ok(v.ok, v.errors.join('; '));
	assert.deepEqual(again.json, first.json);
	assert.deepEqual(await listAll(`customer=${c.id}`), [e.payment]);
});

// --------------------------------------------------- raw card numbers

for (const [label, json, params] of [
    ['description', { description: 'card 4242424242424242 thanks' }, ['description']],
    ['metadata_with_spaces', { metadata: { note: '4242 4242 4242 4242' } },
	['note', 'metadata[note]']],
    ['metadata_with_dashes', { metadata: { pan: '4000-0566-5566-5556' } },
	['pan', 'metadata[pan]']],
    ['metadata_amex_15_digits', { metadata: { n: 'x378282246310005x' } },
	['n', 'metadata[n]']],
    ['payment_method', { payment_method: '4242424242424242' }, ['payment_method']],
]) {
	test(`raw_card_number_in_${label}_is_refused_and_nothing_stored`, async () => {
		const c = await newCustomer();
		const e = await refused({ amount: 100, currency: 'usd',
		    customer: c.id, ...json }, 400, 'sensitive_data_rejected');
		assert.ok(params.includes(e.param),
		    `param ${e.param} is not ${params.join(' or ')}`);
		assert.doesNotMatch(e.message, /4242|5556|0005/,
		    'the message repeats the number');
		assert.deepEqual(await listAll(`customer=${c.id}`), []);
	});
}

test('raw_card_number_in_a_form_payment_is_refused', async () => {
	const p0 = await newestPayment();
	const e = expectError(await payForm('amount=100&currency=usd' +
	    '&metadata[card]=4242+4242+4242+4242'), 400, 'invalid_request_error',
	    'sensitive_data_rejected');
	assert.ok(['card', 'metadata[card]'].includes(e.param), e.param);
	assert.equal(await newestPayment(), p0);
});

test('digit_runs_that_are_not_card_numbers_are_accepted', async () => {
	const metadata = {
		order: '123456789012',			// 12 digits: too short
		not_luhn: '4242424242424241',		// fails Luhn
		phone: '+254700000000',
		spaced: '4242  4242 4242 4242',		// a double space splits the run
	};
	const p = await paid({ amount: 100, currency: 'usd', metadata });
	assert.deepEqual(p.metadata, metadata);
});

test('raw_card_number_in_customer_create_metadata_is_refused', async () => {
	const email = uniqEmail('pan');
	const e = expectError(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Pan', email,
	    metadata: { card: '4242 4242 4242 4242' } } }), 400,
	    'invalid_request_error', 'sensitive_data_rejected');
	assert.ok(['card', 'metadata[card]'].includes(e.param), e.param);
	const l = expectOk(await call(`/v1/customers?email=${encodeURIComponent(email)}`,
	    { key: acct.testKey }));
	assert.deepEqual(l.data, []);
});

test('raw_card_number_in_customer_name_is_refused', async () => {
	const email = uniqEmail('pan');
	expectError(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Jane 5555555555554444', email } }),
	    400, 'invalid_request_error', 'sensitive_data_rejected', 'name');
	const l = expectOk(await call(`/v1/customers?email=${encodeURIComponent(email)}`,
	    { key: acct.testKey }));
	assert.deepEqual(l.data, []);
});

test('raw_card_number_in_customer_update_metadata_is_refused', async () => {
	const c = await newCustomer();
	for (const req of [
	    { method: 'PUT', json: { metadata: { card: '4242-4242-4242-4242' } } },
	    { method: 'POST', form: 'metadata[card]=4242424242424242' }]) {
		const e = expectError(await call(`/v1/customers/${c.id}`,
		    { key: acct.testKey, ...req }), 400, 'invalid_request_error',
		    'sensitive_data_rejected');
		assert.ok(['card', 'metadata[card]'].includes(e.param), e.param);
	}
	assert.deepEqual(expectOk(await call(`/v1/customers/${c.id}`,
	    { key: acct.testKey })), c);
});

// ---------------------------------------------------------------- events

test('a_succeeded_payment_writes_payment_succeeded_with_the_payment', async () => {
	const p = await paid({ amount: 4321, currency: 'usd' });
	const l = expectOk(await call('/v1/events?type=payment.succeeded&limit=5',
	    { key: acct.testKey }));
	const ev = l.data.find((e) => e.data.object.id === p.id);
	assert.ok(ev, 'no payment.succeeded event for the payment');
	assert.deepEqual(ev.data.object, p);
	assert.equal(ev.livemode, false);
	assert.deepEqual(expectOk(await call(`/v1/events/${ev.id}`,
	    { key: acct.testKey })), ev);
});

test('a_declined_payment_writes_payment_failed_with_the_payment', async () => {
	const e = expectError(await pay({ amount: 1234, currency: 'usd',
	    payment_method: 'pm_card_insufficientFunds' }), 402, 'card_error',
	    'insufficient_funds');
	const l = expectOk(await call('/v1/events?type=payment.failed&limit=5',
	    { key: acct.testKey }));
	const ev = l.data.find((x) => x.data.object.id === e.payment.id);
	assert.ok(ev, 'no payment.failed event for the payment');
	assert.deepEqual(ev.data.object, e.payment);
});

// ------------------------------------------------------------ permissions

test('payments_read_key_lists_and_retrieves_but_cannot_create', async () => {
	const p = await paid({ amount: 100, currency: 'usd' });
	const k = await newKey(acct.id, 'test', 'payments:read');
	assert.match(k.key, /^rk_test_/);
	const p0 = await newestPayment();
	expectError(await pay({ amount: 100, currency: 'usd' }, k.key), 403,
	    'permission_error', 'permission_denied', null);
	assert.equal(await newestPayment(), p0);
	assert.ok(expectOk(await list('limit=100', k.key)).data
	    .some((q) => q.id === p.id));
	assert.deepEqual(expectOk(await getPayment(p.id, k.key)), p);
});

test('payments_write_key_creates_payments', async () => {
	const k = await newKey(acct.id, 'test', 'payments:write');
	const p = await paid({ amount: 100, currency: 'usd' }, k.key);
	assert.deepEqual(expectOk(await getPayment(p.id, k.key)), p);
});

test('customers_keys_cannot_touch_payments', async () => {
	const k = await newKey(acct.id, 'test', 'customers:read,customers:write');
	expectError(await list('', k.key), 403, 'permission_error',
	    'permission_denied', null);
	expectError(await pay({ amount: 100, currency: 'usd' }, k.key), 403,
	    'permission_error', 'permission_denied', null);
});

test('payments_write_key_with_a_customer_works_without_customers_permission', async () => {
	const c = await newCustomer();
	const k = await newKey(acct.id, 'test', 'payments:write');
	const p = await paid({ amount: 100, currency: 'usd', customer: c.id }, k.key);
	assert.equal(p.customer, c.id);
});
