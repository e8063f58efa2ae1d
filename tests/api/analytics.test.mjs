// GET /v1/customers/:id/analytics (API.md "Customers" analytics, the
// seed's "Customer analytics"): succeeded payments only, one volume entry
// per currency (largest first, never summed across currencies), averages
// rounded half away from zero, the failed count, the last payment, 404s,
// the isolation of modes and accounts, permissions, and 200 payments made
// by 16 parallel clients counted exactly.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail, sleep } from '../lib/openapi.mjs';

let acct;	// this file's account
before(async () => { acct = await newAccount('api-analytics'); });

// What curl adds by itself (besides Host and Content-Length).
const CURL = { 'User-Agent': 'curl/7.88.1', Accept: '*/*' };

async function newCustomer(key = acct.testKey) {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: { name: 'Analysed', email: uniqEmail('an') } }));
}
const analytics = (c, key = acct.testKey) =>
    call(`/v1/customers/${c.id ?? c}/analytics`, { key });
const stats = async (c, key = acct.testKey) => expectOk(await analytics(c, key));

// One payment; declined ones (402) answer the failed payment.
async function pay(c, amount, currency = 'usd', payment_method,
    key = acct.testKey) {
	const res = await call('/v1/payments', { method: 'POST', key,
	    json: { amount, currency, customer: c.id,
	    ...(payment_method ? { payment_method } : {}) } });
	if (res.status === 402)
		return res.json.error.payment;
	return expectOk(res);
}
const decline = (c, amount, currency = 'usd') =>
    pay(c, amount, currency, 'pm_card_chargeDeclined');

const empty = (c, livemode = false) => ({ object: 'customer_analytics',
    customer: c.id, livemode, total_payments: 0, failed_payments: 0,
    volume: [], last_payment: null });
const lastOf = (p) => ({ id: p.id, amount: p.amount, currency: p.currency,
    created: p.created });

// Half away from zero for positive integers: floor(sum / n + 1/2).
const avg = (sum, n) => Math.floor((2 * sum + n) / (2 * n));

// ------------------------------------------------------------ the seed

test('seed_analytics_example_as_written_after_the_seed_payment', async () => {
	const c = await newCustomer();
	const p = expectOk(await call('/v1/payments', {
		method: 'POST',
		headers: { ...CURL, Authorization: `Bearer ${acct.testKey}`,
		    'Content-Type': 'application/json' },
		body: `{
    "amount": 2500,
    "currency": "usd",
    "customer": "${c.id}",
    "description": "Premium subscription"
  }`,
	}));
	const a = expectOk(await call(`/v1/customers/${c.id}/analytics`, {
		method: 'GET',
		headers: { ...CURL, Authorization: `Bearer ${acct.testKey}` },
	}));
	assert.deepEqual(Object.keys(a), ['object', 'customer', 'livemode',
	    'total_payments', 'failed_payments', 'volume', 'last_payment']);
	assert.deepEqual(a, { object: 'customer_analytics', customer: c.id,
	    livemode: false, total_payments: 1, failed_payments: 0,
	    volume: [{ currency: 'usd', total_volume: 2500, payments: 1,
		average_transaction: 2500,
		refunded_amount: 0, net_volume: 2500 }],
	    last_payment: lastOf(p) });
	assert.deepEqual(Object.keys(a.volume[0]), ['currency', 'total_volume',
	    'payments', 'average_transaction', 'refunded_amount', 'net_volume']);
	assert.deepEqual(Object.keys(a.last_payment), ['id', 'amount', 'currency',
	    'created']);
});

test('api_md_example_three_succeeded_and_one_failed', async () => {
	const c = await newCustomer();
	await pay(c, 2500);
	await decline(c, 2500);
	await pay(c, 2500);
	const last = await pay(c, 2500);
	assert.deepEqual(await stats(c), { object: 'customer_analytics',
	    customer: c.id, livemode: false, total_payments: 3, failed_payments: 1,
	    volume: [{ currency: 'usd', total_volume: 7500, payments: 3,
		average_transaction: 2500,
		refunded_amount: 0, net_volume: 7500 }],
	    last_payment: lastOf(last) });
});

// -------------------------------------------------------- computations

test('a_customer_without_payments_has_empty_analytics', async () => {
	const c = await newCustomer();
	assert.deepEqual(await stats(c), empty(c));
});

test('several_currencies_are_never_summed_and_largest_volume_comes_first', async () => {
	const c = await newCustomer();
	await pay(c, 1000, 'usd');
	await pay(c, 50000, 'KES');
	await pay(c, 100, 'eur');
	await pay(c, 3000, 'usd');
	await pay(c, 200, 'eur');
	const last = await pay(c, 300, 'eur');
	const a = await stats(c);
	assert.equal(a.total_payments, 6);
	assert.equal(a.failed_payments, 0);
	assert.deepEqual(a.volume, [
		{ currency: 'kes', total_volume: 50000, payments: 1,
		    average_transaction: 50000,
		    refunded_amount: 0, net_volume: 50000 },
		{ currency: 'usd', total_volume: 4000, payments: 2,
		    average_transaction: 2000,
		    refunded_amount: 0, net_volume: 4000 },
		{ currency: 'eur', total_volume: 600, payments: 3,
		    average_transaction: 200,
		    refunded_amount: 0, net_volume: 600 },
	]);
	assert.deepEqual(a.last_payment, lastOf(last));
});

test('volume_order_follows_volume_not_count_or_first_use', async () => {
	const c = await newCustomer();
	for (let i = 0; i < 5; i++)
		await pay(c, 10, 'usd');		// 5 payments, 50
	await pay(c, 70, 'gbp');			// 1 payment, 70
	const a = await stats(c);
	assert.deepEqual(a.volume.map((v) => [v.currency, v.total_volume]),
	    [['gbp', 70], ['usd', 50]]);
});

for (const [amounts, want] of [
    [[1000, 1001], 1001],		// 1000.5 -> 1001 (not banker's 1000)
    [[1000, 1000, 1001], 1000],		// 1000.33 -> 1000
    [[2, 3], 3],			// 2.5 -> 3 (banker's would give 2)
    [[1, 2], 2],			// 1.5 -> 2
    [[1, 1, 2], 1],			// 1.33 -> 1
    [[1, 2, 2], 2],			// 1.67 -> 2
    [[99999999999, 99999999998], 99999999999]]) {	// 99999999998.5
	test(`average_of_${amounts.join('_')}_is_${want}`, async () => {
		const c = await newCustomer();
		for (const a of amounts)
			await pay(c, a, 'usd');
		const v = (await stats(c)).volume;
		const sum = amounts.reduce((s, x) => s + x, 0);
		assert.deepEqual(v, [{ currency: 'usd', total_volume: sum,
		    payments: amounts.length, average_transaction: want,
		    refunded_amount: 0, net_volume: sum }]);
	});
}

test('averages_are_rounded_per_currency', async () => {
	const c = await newCustomer();
	await pay(c, 1000, 'usd');
	await pay(c, 1001, 'usd');
	await pay(c, 5, 'jpy');
	await pay(c, 6, 'jpy');
	await pay(c, 6, 'jpy');
	const a = await stats(c);
	assert.deepEqual(a.volume, [
		{ currency: 'usd', total_volume: 2001, payments: 2,
		    average_transaction: 1001,
		    refunded_amount: 0, net_volume: 2001 },
		{ currency: 'jpy', total_volume: 17, payments: 3,
		    average_transaction: 6,
		    refunded_amount: 0, net_volume: 17 },
	]);
});

test('a_declined_payment_counts_in_failed_payments_only', async () => {
	const c = await newCustomer();
	const ok = await pay(c, 1000, 'usd');
	const failed = await decline(c, 999999, 'usd');
	assert.equal(failed.status, 'failed');
	const f2 = await pay(c, 5000, 'eur', 'pm_card_insufficientFunds');
	assert.equal(f2.status, 'failed');
	const a = await stats(c);
	assert.equal(a.total_payments, 1);
	assert.equal(a.failed_payments, 2);
	assert.deepEqual(a.volume, [{ currency: 'usd', total_volume: 1000,
	    payments: 1, average_transaction: 1000,
	    refunded_amount: 0, net_volume: 1000 }]);
	assert.deepEqual(a.last_payment, lastOf(ok), 'a failed payment is not the last');
});

test('only_declined_payments_leave_volume_empty_and_no_last_payment', async () => {
	const c = await newCustomer();
	await decline(c, 100);
	await decline(c, 200, 'kes');
	assert.deepEqual(await stats(c), { ...empty(c), failed_payments: 2 });
});

test('last_payment_is_the_newest_succeeded_payment', async () => {
	const c = await newCustomer();
	await pay(c, 100, 'usd');
	let last = await pay(c, 200, 'kes');
	assert.deepEqual((await stats(c)).last_payment, lastOf(last));
	await decline(c, 300);
	assert.deepEqual((await stats(c)).last_payment, lastOf(last));
	last = await pay(c, 50, 'eur');		// smaller, other currency, newer
	assert.deepEqual((await stats(c)).last_payment, lastOf(last));
	// within the same second the newest still wins
	const burst = [];
	for (let i = 0; i < 5; i++)
		burst.push(await pay(c, 1000 - i, 'usd'));
	assert.deepEqual((await stats(c)).last_payment, lastOf(burst[4]));
});

test('a_saved_default_payment_method_is_counted_like_any_other', async () => {
	const c = await newCustomer();
	const pm = expectOk(await call(`/v1/customers/${c.id}/payment_methods`,
	    { method: 'POST', key: acct.testKey,
	    json: { payment_method: 'pm_card_chargeDeclined' } }));
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'POST',
	    key: acct.testKey,
	    form: `invoice_settings[default_payment_method]=${pm.id}` }));
	await pay(c, 100);			// charges the declining default
	const ok = await pay(c, 200, 'usd', 'pm_card_visa');
	const a = await stats(c);
	assert.equal(a.total_payments, 1);
	assert.equal(a.failed_payments, 1);
	assert.deepEqual(a.last_payment, lastOf(ok));
});

test('payments_without_the_customer_are_not_counted', async () => {
	const c = await newCustomer();
	const d = await newCustomer();
	await pay(c, 100);
	await pay(d, 999);
	expectOk(await call('/v1/payments', { method: 'POST', key: acct.testKey,
	    json: { amount: 777, currency: 'usd' } }));
	const a = await stats(c);
	assert.equal(a.total_payments, 1);
	assert.deepEqual(a.volume, [{ currency: 'usd', total_volume: 100,
	    payments: 1, average_transaction: 100,
	    refunded_amount: 0, net_volume: 100 }]);
});

test('refused_payments_change_nothing', async () => {
	const c = await newCustomer();
	await pay(c, 100);
	const before = await stats(c);
	for (const json of [{ amount: 0, currency: 'usd' },
	    { amount: 100, currency: 'xyz' },
	    { amount: 100, currency: 'usd', payment_method: 'pm_card_bogus' },
	    { amount: 100, currency: 'usd', description: '4242424242424242' }]) {
		const res = await call('/v1/payments', { method: 'POST',
		    key: acct.testKey, json: { ...json, customer: c.id } });
		assert.equal(res.status, 400, res.text);
	}
	assert.deepEqual(await stats(c), before);
});

// ------------------------------------------------------------------ 404s

test('unknown_customer_answers_404', async () => {
	expectError(await analytics('cust_1NvQI2eZvKYlo2C0'), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	expectError(await analytics('pay_1NvQI2eZvKYlo2C0'), 404,
	    'invalid_request_error', 'resource_missing', 'id');
});

test('deleted_customer_answers_404_though_its_payments_stay', async () => {
	const c = await newCustomer();
	const p = await pay(c, 100);
	expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	const e = expectError(await analytics(c), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	// As GET /v1/customers/:id answers it.
	const got = (await call(`/v1/customers/${c.id}`,
	    { key: acct.testKey })).json.error;
	assert.equal(e.message, `No such customer: '${c.id}'; it has been deleted`);
	assert.deepEqual({ ...e, request_id: null },
	    { ...got, request_id: null });
	assert.equal(e.deleted, true);
	const l = expectOk(await call(`/v1/payments?customer=${c.id}`,
	    { key: acct.testKey }));
	assert.deepEqual(l.data, [p]);
});

test('merged_customer_answers_404_naming_the_survivor', async () => {
	const into = await newCustomer();
	const from = await newCustomer();
	await pay(from, 300);
	expectOk(await call(`/v1/customers/${into.id}/merge`, { method: 'POST',
	    key: acct.testKey, json: { from: from.id } }));
	const e = expectError(await analytics(from), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.equal(e.message, `No such customer: '${from.id}'; it has been ` +
	    `deleted, merged into ${into.id}`);
	assert.equal(e.deleted, true);
	assert.equal(e.merged_into, into.id);
	assert.equal((await stats(into)).total_payments, 1);
});

test('unknown_query_parameter_is_refused', async () => {
	const c = await newCustomer();
	expectError(await call(`/v1/customers/${c.id}/analytics?currency=usd`,
	    { key: acct.testKey }), 400, 'invalid_request_error',
	    'parameter_unknown', 'currency');
});

test('analytics_is_read_only', async () => {
	const c = await newCustomer();
	const res = await call(`/v1/customers/${c.id}/analytics`,
	    { method: 'POST', key: acct.testKey, json: {} });
	expectError(res, 405, 'invalid_request_error', 'method_not_allowed');
	assert.equal(res.headers.get('allow'), 'GET');
});

// ------------------------------------------------------------- isolation

test('another_accounts_customer_answers_404_and_its_payments_never_leak', async () => {
	const a = await newAccount('api-analytics-a');
	const b = await newAccount('api-analytics-b');
	const ca = await newCustomer(a.testKey);
	const cb = await newCustomer(b.testKey);
	const pa = await pay(ca, 1000, 'usd', undefined, a.testKey);
	const pb = await pay(cb, 5000, 'kes', undefined, b.testKey);
	await pay(cb, 7000, 'usd', 'pm_card_chargeDeclined', b.testKey);
	// each sees only its own
	assert.deepEqual(await stats(ca, a.testKey), { ...empty(ca),
	    total_payments: 1, volume: [{ currency: 'usd', total_volume: 1000,
		payments: 1, average_transaction: 1000,
		refunded_amount: 0, net_volume: 1000 }],
	    last_payment: lastOf(pa) });
	assert.deepEqual(await stats(cb, b.testKey), { ...empty(cb),
	    total_payments: 1, failed_payments: 1,
	    volume: [{ currency: 'kes', total_volume: 5000, payments: 1,
		average_transaction: 5000,
		refunded_amount: 0, net_volume: 5000 }],
	    last_payment: lastOf(pb) });
	// and neither can look at the other's customer
	for (const [c, key] of [[ca, b.testKey], [cb, a.testKey],
	    [ca, b.liveKey], [ca, a.liveKey]])
		expectError(await analytics(c, key), 404, 'invalid_request_error',
		    'resource_missing', 'id');
	// nor list the other's payments
	const la = expectOk(await call('/v1/payments?limit=100',
	    { key: a.testKey }));
	assert.deepEqual(la.data, [pa]);
	const lb = expectOk(await call(`/v1/payments?customer=${ca.id}`,
	    { key: b.testKey }));
	assert.deepEqual(lb.data, []);
});

test('test_and_live_customers_with_one_email_are_counted_apart', async () => {
	const a = await newAccount('api-analytics-modes');
	const email = uniqEmail('modes');
	const t = expectOk(await call('/v1/customers', { method: 'POST',
	    key: a.testKey, json: { name: 'Test side', email } }));
	const l = expectOk(await call('/v1/customers', { method: 'POST',
	    key: a.liveKey, json: { name: 'Live side', email } }));
	await pay(t, 2500, 'usd', undefined, a.testKey);
	await pay(t, 100, 'usd', 'pm_card_chargeDeclined', a.testKey);
	// live mode charges nothing (no processor) and counts nothing
	const res = await call('/v1/payments', { method: 'POST', key: a.liveKey,
	    json: { amount: 2500, currency: 'usd', customer: l.id } });
	expectError(res, 400, 'invalid_request_error', 'processor_not_configured');
	assert.deepEqual(await stats(l, a.liveKey), empty(l, true));
	const ts = await stats(t, a.testKey);
	assert.equal(ts.livemode, false);
	assert.equal(ts.total_payments, 1);
	assert.equal(ts.failed_payments, 1);
	// a key of one mode never sees the other mode's customer
	expectError(await analytics(t, a.liveKey), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	expectError(await analytics(l, a.testKey), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	assert.deepEqual(expectOk(await call('/v1/payments',
	    { key: a.liveKey })).data, []);
});

// ----------------------------------------------------------- permissions

test('customers_read_key_reads_analytics', async () => {
	const c = await newCustomer();
	await pay(c, 100);
	const k = await newKey(acct.id, 'test', 'customers:read');
	assert.deepEqual(await stats(c, k.key), await stats(c));
});

test('payments_only_key_cannot_read_analytics', async () => {
	const c = await newCustomer();
	const k = await newKey(acct.id, 'test', 'payments:read,payments:write');
	expectError(await analytics(c, k.key), 403, 'permission_error',
	    'permission_denied', null);
});

// ----------------------------------------------------------- concurrency

test('200_payments_by_16_parallel_clients_leave_analytics_exact', async () => {
	const a = await newAccount('api-analytics-concurrency');
	const c = await newCustomer(a.testKey);
	// 16 clients, each with its own key, as separate integrations would be
	const keys = [];
	for (let i = 0; i < 16; i++)
		keys.push((await newKey(a.id, 'test')).key);
	const TOTAL = 200;
	// a mix of amounts and two currencies; every 9th declines
	const plan = Array.from({ length: TOTAL }, (_, i) => ({
		amount: 1 + ((i * 7919) % 100000),
		currency: i % 3 ? 'usd' : 'kes',
		decline: i % 9 === 4,
	}));
	let next = 0;
	const answers = [];
	async function client(key) {
		while (next < TOTAL) {
			const job = plan[next++];
			for (let tries = 0; ; tries++) {
				const res = await call('/v1/payments', { method: 'POST',
				    key, json: { amount: job.amount,
				    currency: job.currency.toUpperCase(), customer: c.id,
				    ...(job.decline ?
				    { payment_method: 'pm_card_chargeDeclined' } : {}) } });
				if (res.status === 429 && tries < 20) {
					// rate limited: nothing was written, retry
					await sleep(1000 *
					    Number(res.headers.get('retry-after') || 1));
					continue;
				}
				if (job.decline) {
					const e = expectError(res, 402, 'card_error',
					    'card_declined');
					answers.push(e.payment);
				} else
					answers.push(expectOk(res));
				break;
			}
		}
	}
	await Promise.all(keys.map((k) => client(k)));
	assert.equal(answers.length, TOTAL);

	// what was sent
	const sent = {};
	for (const p of plan.filter((x) => !x.decline)) {
		sent[p.currency] ??= { sum: 0, n: 0 };
		sent[p.currency].sum += p.amount;
		sent[p.currency].n++;
	}
	// what is stored: every payment of the customer, walked with cursors
	const listed = [];
	let cursor = null;
	for (let pages = 0; pages < 10; pages++) {
		const l = expectOk(await call(`/v1/payments?customer=${c.id}` +
		    '&limit=100' + (cursor ? `&starting_after=${cursor}` : ''),
		    { key: a.testKey }));
		listed.push(...l.data);
		if (!l.has_more)
			break;
		cursor = l.data[l.data.length - 1].id;
	}
	assert.equal(listed.length, TOTAL);
	assert.equal(new Set(listed.map((p) => p.id)).size, TOTAL);
	assert.deepEqual(new Set(listed.map((p) => p.id)),
	    new Set(answers.map((p) => p.id)));
	const recount = {};
	let failed = 0;
	for (const p of listed) {
		if (p.status === 'failed') {
			failed++;
			continue;
		}
		recount[p.currency] ??= { sum: 0, n: 0 };
		recount[p.currency].sum += p.amount;
		recount[p.currency].n++;
	}
	assert.deepEqual(recount, sent, 'the stored payments are not what was sent');

	const an = expectOk(await analytics(c, a.testKey));
	const succeeded = listed.filter((p) => p.status === 'succeeded');
	assert.equal(an.total_payments, succeeded.length);
	assert.equal(an.failed_payments, failed);
	assert.equal(failed, plan.filter((x) => x.decline).length);
	const want = Object.entries(recount)
	    .map(([currency, { sum, n }]) => ({ currency, total_volume: sum,
		payments: n, average_transaction: avg(sum, n),
		refunded_amount: 0, net_volume: sum }))
	    .sort((x, y) => y.total_volume - x.total_volume);
	assert.deepEqual(an.volume, want);
	// the newest succeeded payment: the first succeeded one of the list
	assert.deepEqual(an.last_payment, lastOf(succeeded[0]));
});
