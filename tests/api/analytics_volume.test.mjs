// Volume over time (dashboard contract "Volume over time"):
// GET /v1/customers/:id/analytics/volume, from the per-day aggregate
// kept in each payment's transaction. Payments are spread over days and
// months with test clocks (pesaswap-jobs bills a clock customer's
// subscription at the clock's time); every answer is checked against a
// recount of the customer's payments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail, sleep }
    from '../lib/openapi.mjs';
import { startJobs } from '../lib/jobs.mjs';

const DAY = 86400;
const utc = (y, m, d, h = 0) => Date.UTC(y, m - 1, d, h) / 1000;

let acct;
let other;
before(async () => {
	acct = await newAccount('api-analytics-volume');
	other = await newAccount('api-analytics-volume-other');
	await startJobs();
});
after(async () => {
	await startJobs();	// the stack keeps its pesaswap-jobs
});

const volume = (id, qs = '', key = acct.testKey) =>
    call(`/v1/customers/${id}/analytics/volume${qs ? '?' + qs : ''}`, { key });

async function newCustomer(extra = {}, key = acct.testKey) {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: { name: 'Volume', email: uniqEmail('vol'), ...extra } }));
}

// A payment for C; declined ones are answered 402 and recorded.
async function pay(c, amount, currency = 'usd', payment_method) {
	const res = await call('/v1/payments', { method: 'POST',
	    key: acct.testKey, json: { amount, currency, customer: c.id,
	    ...(payment_method ? { payment_method } : {}) } });
	assert.ok(res.status === 200 || res.status === 402, res.text);
	return res.json;
}

// Every payment of customer C.
async function paymentsOf(c) {
	const out = [];
	let cursor = null;
	for (;;) {
		const l = expectOk(await call(`/v1/payments?customer=${c.id}` +
		    `&limit=100${cursor ? `&starting_after=${cursor}` : ''}`,
		    { key: acct.testKey }));
		out.push(...l.data);
		if (!l.has_more)
			return out;
		cursor = l.data[l.data.length - 1].id;
	}
}

const dayOf = (t) => t - (t % DAY);
const monthOf = (t) => {
	const d = new Date(t * 1000);
	return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
};

// What the endpoint must answer, recounted from the payments: succeeded
// ones in CURRENCY, per period, from SINCE, oldest first.
function recount(payments, currency, period, since) {
	const m = new Map();
	for (const p of payments) {
		if (p.status !== 'succeeded' || p.currency !== currency)
			continue;
		const k = period(p.created);
		if (k < since)
			continue;
		const e = m.get(k) ?? { period_start: k, total_volume: 0,
		    payments: 0 };
		e.total_volume += p.amount;
		e.payments += 1;
		m.set(k, e);
	}
	return [...m.values()].sort((a, b) => a.period_start - b.period_start);
}

// The first day and month the chart shows for "now".
const daySince = (now) => dayOf(now) - 365 * DAY;
function monthSince(now) {
	const d = new Date(now * 1000);
	return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 119, 1) / 1000;
}

// Waits until customer C has N payments; returns them.
async function paymentsUntil(c, n) {
	const deadline = Date.now() + 60000;
	let pays;
	while ((pays = await paymentsOf(c)).length < n) {
		assert.ok(Date.now() < deadline, `${pays.length} of ${n} payments`);
		await sleep(100);
	}
	return pays;
}

// A customer on a clock at STEPS[0] subscribed to a price of INTERVAL,
// the clock then advanced to each later time of STEPS in turn, waiting
// for pesaswap-jobs to bill each step (it bills what is due at the
// clock's time, so one step per period spreads the payments):
// {customer, payments}.
async function billedOnClock(steps, interval, amount) {
	const clock = expectOk(await call('/v1/test_helpers/test_clocks',
	    { method: 'POST', key: acct.testKey,
	    json: { frozen_time: steps[0] } }));
	const c = await newCustomer({ test_clock: clock.id });
	const pr = expectOk(await call('/v1/prices', { method: 'POST',
	    key: acct.testKey, json: { unit_amount: amount, currency: 'usd',
	    recurring: { interval } } }));
	expectOk(await call('/v1/subscriptions', { method: 'POST',
	    key: acct.testKey, json: { customer: c.id, price: pr.id } }));
	for (let i = 1; i < steps.length; i++) {
		expectOk(await call(
		    `/v1/test_helpers/test_clocks/${clock.id}/advance`,
		    { method: 'POST', key: acct.testKey,
		    json: { frozen_time: steps[i] } }));
		await paymentsUntil(c, i + 1);
	}
	return { customer: c, payments: await paymentsOf(c) };
}

test('day_buckets_equal_a_recount_of_the_payments', async () => {
	// Daily renewals at 10:00 on 6 days, plus same-day payments made
	// on the clock customer directly (today's date, wall clock).
	const t = utc(2025, 3, 10, 10);
	const steps = [0, 1, 2, 3, 4, 5].map((i) => t + i * DAY);
	const { customer: c } = await billedOnClock(steps, 'day', 700);
	await pay(c, 1000);
	await pay(c, 250);
	await pay(c, 999, 'usd', 'pm_card_chargeDeclined');
	const pays = await paymentsOf(c);
	const v = expectOk(await volume(c.id, 'interval=day&currency=usd'));
	const want = recount(pays, 'usd', dayOf, daySince(t + 5 * DAY));
	assert.ok(want.length >= 7, JSON.stringify(want));
	assert.deepEqual(v.data, want);
	assert.equal(v.interval, 'day');
	assert.equal(v.currency, 'usd');
	assert.equal(v.has_more, false);
	assert.equal(v.url, `/v1/customers/${c.id}/analytics/volume`);
	// The first six days hold one 700 payment each.
	assert.deepEqual(v.data.slice(0, 6).map((d) => [d.period_start,
	    d.total_volume, d.payments]), [0, 1, 2, 3, 4, 5].map((i) =>
	    [utc(2025, 3, 10) + i * DAY, 700, 1]));
});

test('month_buckets_sum_the_days_and_day_view_keeps_366_days',
    async () => {
	// Monthly from 31 January 2024 for 14 months: 15 payments, one a
	// month (29 February, 31 March, 30 April, ...).
	const steps = [];
	for (let m = 0; m <= 14; m++) {
		// The renewal day: the 31st, or the month's last day.
		const last = new Date(Date.UTC(2024, m + 1, 0)).getUTCDate();
		steps.push(Date.UTC(2024, m, Math.min(31, last), 9) / 1000);
	}
	const end = steps[14];
	assert.equal(end, utc(2025, 3, 31, 9));
	const { customer: c } = await billedOnClock(steps, 'month', 1200);
	await pay(c, 300);	// today, wall clock: a month of its own
	const pays = await paymentsOf(c);
	const months = expectOk(await volume(c.id, 'interval=month'));
	const wantMonths = recount(pays, 'usd', monthOf, monthSince(end));
	assert.equal(wantMonths.length, 16);
	assert.deepEqual(months.data, wantMonths);
	assert.equal(months.data[1].period_start, utc(2024, 2, 1));
	// Days: only the last 366 (today at the clock and 365 before).
	const days = expectOk(await volume(c.id, 'interval=day'));
	const wantDays = recount(pays, 'usd', dayOf, daySince(end));
	assert.deepEqual(days.data, wantDays);
	assert.ok(wantDays.length < pays.length, 'the day view is cut');
	assert.ok(days.data[0].period_start >= dayOf(end) - 365 * DAY);
});

test('interval_defaults_to_day', async () => {
	const c = await newCustomer();
	await pay(c, 500);
	const v = expectOk(await volume(c.id));
	assert.equal(v.interval, 'day');
	assert.deepEqual(v.data, recount(await paymentsOf(c), 'usd', dayOf, 0));
});

test('currency_defaults_to_the_largest_volume_and_is_case_insensitive',
    async () => {
	const c = await newCustomer();
	await pay(c, 100, 'usd');
	await pay(c, 200, 'usd');
	await pay(c, 500, 'eur');
	const pays = await paymentsOf(c);
	const v = expectOk(await volume(c.id));
	assert.equal(v.currency, 'eur');
	assert.deepEqual(v.data, recount(pays, 'eur', dayOf, 0));
	const u = expectOk(await volume(c.id, 'currency=USD'));
	assert.equal(u.currency, 'usd');
	assert.deepEqual(u.data, recount(pays, 'usd', dayOf, 0));
	assert.equal(u.data[0].total_volume, 300);
});

test('declined_payments_are_not_counted', async () => {
	const c = await newCustomer();
	await pay(c, 1000);
	await pay(c, 4000, 'usd', 'pm_card_chargeDeclined');
	await pay(c, 4000, 'usd', 'pm_card_insufficientFunds');
	const v = expectOk(await volume(c.id, 'interval=month'));
	assert.deepEqual(v.data.map((p) => [p.total_volume, p.payments]),
	    [[1000, 1]]);
});

test('a_customer_without_payments_has_no_data_and_null_currency',
    async () => {
	const c = await newCustomer();
	const v = expectOk(await volume(c.id));
	assert.equal(v.currency, null);
	assert.deepEqual(v.data, []);
	const u = expectOk(await volume(c.id, 'currency=kes&interval=month'));
	assert.equal(u.currency, 'kes');
	assert.deepEqual(u.data, []);
});

test('unknown_deleted_or_foreign_customer_is_404', async () => {
	const gone = await newCustomer();
	expectOk(await call(`/v1/customers/${gone.id}`, { method: 'DELETE',
	    key: acct.testKey }));
	const theirs = await newCustomer({}, other.testKey);
	for (const id of ['cust_0000000000000000', gone.id, theirs.id]) {
		const e = expectError(await volume(id), 404,
		    'invalid_request_error', 'resource_missing', 'id');
		// Only this account's deleted one says it was deleted.
		assert.equal(e.deleted, id === gone.id ? true : undefined);
		assert.equal(e.message, `No such customer: '${id}'` +
		    (id === gone.id ? '; it has been deleted' : ''));
	}
	// Nor in the other mode.
	const mine = await newCustomer();
	expectError(await volume(mine.id, '', acct.liveKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
});

test('a_bad_interval_is_400', async () => {
	const c = await newCustomer();
	expectError(await volume(c.id, 'interval=week'), 400,
	    'invalid_request_error', 'parameter_invalid', 'interval');
});

test('a_bad_currency_is_400', async () => {
	const c = await newCustomer();
	for (const cur of ['zzz', 'us', 'dollars'])
		expectError(await volume(c.id, `currency=${cur}`), 400,
		    'invalid_request_error', 'currency_invalid', 'currency');
});

test('an_unknown_parameter_is_400', async () => {
	const c = await newCustomer();
	expectError(await volume(c.id, 'from=0'), 400, 'invalid_request_error',
	    'parameter_unknown', 'from');
});

test('needs_customers_read', async () => {
	const c = await newCustomer();
	await pay(c, 800);
	const no = await newKey(acct, 'test', 'payments:read');
	expectError(await volume(c.id, '', no.key), 403, 'permission_error',
	    'permission_denied');
	const yes = await newKey(acct, 'test', 'customers:read');
	assert.equal(expectOk(await volume(c.id, '', yes.key)).data[0]
	    .total_volume, 800);
});
