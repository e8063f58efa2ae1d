// Payment schedules (API.md "Prices, subscriptions, payment schedules";
// issue 5 "What must work": create with run_at in the future, customer,
// amount, currency, optional payment_method; retrieve, list, cancel
// before it runs): every field and its validation, then the schedule run
// by pesaswap-jobs exactly once at run_at, driven by a test clock (and
// once in real time): the payment it makes, a declining method, the
// customer's default method, a schedule canceled before its time, and
// many schedules due at once.
//
// The stack's pesaswap-jobs must run (tests/lib/jobs.mjs starts it if it
// does not). It looks for due work every 200 ms, so a due schedule runs
// within RUN_MS, and QUIET_MS without a change means nothing more comes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail, sleep }
    from '../lib/openapi.mjs';
import { startJobs } from '../lib/jobs.mjs';

const RUN_MS = 15000;	// a due schedule runs within
const QUIET_MS = 1500;	// "nothing happens": several job polls

let acct;	// this file's account
let other;	// another account, for isolation
before(async () => {
	acct = await newAccount('api-schedules');
	other = await newAccount('api-schedules-other');
	await startJobs();
});
after(async () => {
	await startJobs();	// the stack keeps its pesaswap-jobs
});

// The brief's key order of the payment schedule object.
const SCHED_KEYS = ['id', 'object', 'customer', 'amount', 'currency',
    'payment_method', 'description', 'run_at', 'status', 'payment',
    'metadata', 'created', 'livemode'];

const DAY = 86400;
const utc = (y, m, d) => Date.UTC(y, m - 1, d) / 1000;
const nowSec = () => Math.floor(Date.now() / 1000);

const schedule = (json, key = acct.testKey, headers = {}) =>
    call('/v1/payment_schedules', { method: 'POST', key, json, headers });
const getSched = (id, key = acct.testKey) =>
    call(`/v1/payment_schedules/${id}`, { key });
const cancel = (id, key = acct.testKey) =>
    call(`/v1/payment_schedules/${id}`, { method: 'DELETE', key });
const list = (qs = '', key = acct.testKey) =>
    call(`/v1/payment_schedules${qs ? '?' + qs : ''}`, { key });

async function newCustomer(key = acct.testKey, extra = {}) {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: { name: 'Planner', email: uniqEmail('sch'), ...extra } }));
}

async function newClock(frozen, key = acct.testKey) {
	return expectOk(await call('/v1/test_helpers/test_clocks',
	    { method: 'POST', key, json: { frozen_time: frozen } }));
}

async function advance(clock, to, key = acct.testKey) {
	return expectOk(await call(`/v1/test_helpers/test_clocks/${clock.id}/advance`,
	    { method: 'POST', key, json: { frozen_time: to } }));
}

// A customer on a new test clock at time T.
async function clockCustomer(t, key = acct.testKey) {
	const clock = await newClock(t, key);
	return { clock, customer: await newCustomer(key,
	    { test_clock: clock.id }) };
}

async function attach(c, token, key = acct.testKey) {
	return expectOk(await call(`/v1/customers/${c.id}/payment_methods`,
	    { method: 'POST', key, json: { payment_method: token } }));
}

async function scheduled(json, key = acct.testKey) {
	return expectOk(await schedule(json, key));
}

// Every schedule of a query, newest first.
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

// A customer's payments, newest first.
async function paymentsOf(c, key = acct.testKey) {
	const l = expectOk(await call(`/v1/payments?customer=${c.id}&limit=100`,
	    { key }));
	assert.equal(l.has_more, false);
	return l.data;
}

async function refusedWritesNothing(fn, key = acct.testKey) {
	const n = (await listAll('', key)).length;
	const e = await fn();
	assert.equal((await listAll('', key)).length, n,
	    'a refused create stored a schedule');
	return e;
}

// Polls schedule ID until PRED(schedule) holds; fails after MS.
async function schedUntil(id, pred, what, ms = RUN_MS, key = acct.testKey) {
	const end = Date.now() + ms;
	for (;;) {
		const s = expectOk(await getSched(id, key));
		if (pred(s))
			return s;
		assert.ok(Date.now() < end, `${what}: not within ${ms} ms: ` +
		    JSON.stringify(s));
		await sleep(100);
	}
}

// ----------------------------------------------------------------- create

test('create_answers_every_field_in_the_documented_order', async () => {
	const c = await newCustomer();
	const runAt = nowSec() + 30 * DAY;
	const s = await scheduled({ customer: c.id, amount: 5000,
	    currency: 'KES', run_at: runAt, description: 'Installment 2 of 3',
	    metadata: { order: 'A-17' } });
	assert.deepEqual(Object.keys(s), SCHED_KEYS);
	assert.match(s.id, /^sched_[0-9A-Za-z]{16}$/);
	assert.equal(s.object, 'payment_schedule');
	assert.equal(s.customer, c.id);
	assert.equal(s.amount, 5000);
	assert.equal(s.currency, 'kes');
	assert.equal(s.payment_method, null);
	assert.equal(s.description, 'Installment 2 of 3');
	assert.equal(s.run_at, runAt);
	assert.equal(s.status, 'scheduled');
	assert.equal(s.payment, null);
	assert.deepEqual(s.metadata, { order: 'A-17' });
	assert.ok(Math.abs(s.created - nowSec()) < 120);
	assert.equal(s.livemode, false);
	assert.deepEqual(await paymentsOf(c), [], 'nothing is charged yet');
});

test('create_form_encoded_as_stripe_clients_send_it', async () => {
	const c = await newCustomer();
	const runAt = nowSec() + DAY;
	const s = expectOk(await call('/v1/payment_schedules', { method: 'POST',
	    key: acct.testKey, form: `customer=${c.id}&amount=1200&currency=usd` +
	    `&run_at=${runAt}&payment_method=pm_card_visa&metadata[k]=v` }));
	assert.equal(s.amount, 1200);
	assert.equal(s.run_at, runAt);
	assert.equal(s.payment_method, 'pm_card_visa');
	assert.deepEqual(s.metadata, { k: 'v' });
});

test('description_and_metadata_default_to_null_and_empty', async () => {
	const c = await newCustomer();
	const s = await scheduled({ customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY });
	assert.equal(s.description, null);
	assert.deepEqual(s.metadata, {});
});

test('a_saved_payment_method_of_the_customer_is_kept', async () => {
	const c = await newCustomer();
	const pm = await attach(c, 'pm_card_mastercard');
	const s = await scheduled({ customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY, payment_method: pm.id });
	assert.equal(s.payment_method, pm.id);
});

test('another_customers_payment_method_is_resource_missing', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	const pm = await attach(b, 'pm_card_visa');
	await refusedWritesNothing(async () => expectError(await schedule({
	    customer: a.id, amount: 100, currency: 'usd', run_at: nowSec() + DAY,
	    payment_method: pm.id }), 400, 'invalid_request_error',
	    'resource_missing', 'payment_method'));
});

test('an_unknown_payment_method_token_is_resource_missing', async () => {
	const c = await newCustomer();
	for (const token of ['pm_card_bogus', 'pm_ZZZZZZZZZZZZZZZZ'])
		await refusedWritesNothing(async () => expectError(
		    await schedule({ customer: c.id, amount: 100, currency: 'usd',
		    run_at: nowSec() + DAY, payment_method: token }), 400,
		    'invalid_request_error', 'resource_missing', 'payment_method'));
});

for (const field of ['customer', 'amount', 'currency', 'run_at']) {
	test(`${field}_missing_is_parameter_missing`, async () => {
		const c = await newCustomer();
		const json = { customer: c.id, amount: 100, currency: 'usd',
		    run_at: nowSec() + DAY };
		delete json[field];
		await refusedWritesNothing(async () => expectError(
		    await schedule(json), 400, 'invalid_request_error',
		    'parameter_missing', field));
	});
}

for (const runAt of [-DAY, -1, 0]) {
	test(`run_at_${runAt < 0 ? 'in_the_past' : 'now'}_${-runAt}_is_refused`, async () => {
		const c = await newCustomer();
		await refusedWritesNothing(async () => expectError(
		    await schedule({ customer: c.id, amount: 100, currency: 'usd',
		    run_at: nowSec() + runAt }), 400, 'invalid_request_error',
		    'parameter_invalid', 'run_at'));
	});
}

test('run_at_that_is_not_a_timestamp_is_refused', async () => {
	const c = await newCustomer();
	for (const runAt of ['tomorrow', 1.5, true])
		await refusedWritesNothing(async () => expectError(
		    await schedule({ customer: c.id, amount: 100, currency: 'usd',
		    run_at: runAt }), 400, 'invalid_request_error',
		    'parameter_invalid', 'run_at'));
});

test('run_at_is_judged_by_the_customers_test_clock', async () => {
	const t = utc(2024, 1, 31);
	const { customer } = await clockCustomer(t);
	// in the real past, but after the clock's time: accepted
	const s = await scheduled({ customer: customer.id, amount: 100,
	    currency: 'usd', run_at: t + 60 });
	assert.equal(s.run_at, t + 60);
	// at or before the clock's time: refused, though the real now is later
	for (const runAt of [t, t - 60])
		await refusedWritesNothing(async () => expectError(
		    await schedule({ customer: customer.id, amount: 100,
		    currency: 'usd', run_at: runAt }), 400,
		    'invalid_request_error', 'parameter_invalid', 'run_at'));
});

for (const amount of [0, -5, 100000000000, 'abc']) {
	test(`amount_${JSON.stringify(amount)}_is_refused_with_amount_invalid`, async () => {
		const c = await newCustomer();
		await refusedWritesNothing(async () => expectError(
		    await schedule({ customer: c.id, amount, currency: 'usd',
		    run_at: nowSec() + DAY }), 400, 'invalid_request_error',
		    'amount_invalid', 'amount'));
	});
}

test('an_invalid_currency_is_currency_invalid', async () => {
	const c = await newCustomer();
	await refusedWritesNothing(async () => expectError(await schedule({
	    customer: c.id, amount: 100, currency: 'xyz', run_at: nowSec() + DAY }),
	    400, 'invalid_request_error', 'currency_invalid', 'currency'));
});

test('unknown_deleted_or_foreign_customers_are_resource_missing', async () => {
	const gone = await newCustomer();
	expectOk(await call(`/v1/customers/${gone.id}`, { method: 'DELETE',
	    key: acct.testKey }));
	const theirs = await newCustomer(other.testKey);
	for (const id of ['cust_ZZZZZZZZZZZZZZZZ', gone.id, theirs.id])
		await refusedWritesNothing(async () => expectError(
		    await schedule({ customer: id, amount: 100, currency: 'usd',
		    run_at: nowSec() + DAY }), 400, 'invalid_request_error',
		    'resource_missing', 'customer'));
});

test('a_description_over_1000_characters_is_refused', async () => {
	const c = await newCustomer();
	const s = await scheduled({ customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY, description: 'd'.repeat(1000) });
	assert.equal(s.description.length, 1000);
	await refusedWritesNothing(async () => expectError(await schedule({
	    customer: c.id, amount: 100, currency: 'usd', run_at: nowSec() + DAY,
	    description: 'd'.repeat(1001) }), 400, 'invalid_request_error',
	    'parameter_invalid', 'description'));
});

// One rule for free text (issue 13): "" is no description, as for a
// payment; it used to be refused here alone.
test('an_empty_description_means_none_as_for_a_payment', async () => {
	const c = await newCustomer();
	const s = await scheduled({ customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY, description: '' });
	assert.equal(s.description, null);
});

test('unknown_parameter_is_refused', async () => {
	const c = await newCustomer();
	await refusedWritesNothing(async () => expectError(await schedule({
	    customer: c.id, amount: 100, currency: 'usd', run_at: nowSec() + DAY,
	    interval: 'month' }), 400, 'invalid_request_error',
	    'parameter_unknown', 'interval'));
});

// ------------------------------------------------------- retrieve, list

test('retrieve_answers_the_schedule', async () => {
	const c = await newCustomer();
	const s = await scheduled({ customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY });
	assert.deepEqual(expectOk(await getSched(s.id)), s);
});

test('retrieve_unknown_or_foreign_schedule_answers_404', async () => {
	const theirs = await scheduled({ customer: (await newCustomer(
	    other.testKey)).id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY }, other.testKey);
	for (const id of ['sched_ZZZZZZZZZZZZZZZZ', theirs.id])
		expectError(await getSched(id), 404, 'invalid_request_error',
		    'resource_missing', 'id');
	expectError(await getSched(theirs.id, other.liveKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
});

test('list_is_newest_first_with_cursors_and_the_customer_filter', async () => {
	const acc = await newAccount('api-schedules-list');
	const a = await newCustomer(acc.testKey);
	const b = await newCustomer(acc.testKey);
	const made = [];
	for (let i = 0; i < 5; i++)
		made.push(await scheduled({ customer: (i % 2 ? b : a).id,
		    amount: 100 + i, currency: 'usd', run_at: nowSec() + DAY },
		    acc.testKey));
	const l = expectOk(await list('limit=2', acc.testKey));
	assert.equal(l.object, 'list');
	assert.equal(l.url, '/v1/payment_schedules');
	assert.equal(l.has_more, true);
	assert.deepEqual(l.data, [made[4], made[3]]);
	const next = expectOk(await list(`limit=2&starting_after=${made[3].id}`,
	    acc.testKey));
	assert.deepEqual(next.data.map((s) => s.id), [made[2].id, made[1].id]);
	const back = expectOk(await list(`limit=2&ending_before=${made[1].id}`,
	    acc.testKey));
	assert.deepEqual(back.data.map((s) => s.id), [made[3].id, made[2].id]);
	assert.deepEqual((await listAll(`customer=${b.id}`, acc.testKey))
	    .map((s) => s.id), [made[3].id, made[1].id]);
	assert.deepEqual((await listAll(`customer=${a.id}`, acc.testKey))
	    .map((s) => s.id), [made[4].id, made[2].id, made[0].id]);
});

test('list_never_shows_another_accounts_or_modes_schedules', async () => {
	const theirs = await scheduled({ customer: (await newCustomer(
	    other.testKey)).id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY }, other.testKey);
	assert.ok(!(await listAll()).some((s) => s.id === theirs.id));
	assert.ok(!(await listAll('', other.liveKey)).some((s) =>
	    s.id === theirs.id));
});

test('bad_list_parameters_are_refused', async () => {
	expectError(await list('starting_after=sched_ZZZZZZZZZZZZZZZZ'), 400,
	    'invalid_request_error', 'resource_missing', 'starting_after');
	expectError(await list('limit=0'), 400, 'invalid_request_error',
	    'parameter_invalid', 'limit');
	expectError(await list('status=scheduled'), 400,
	    'invalid_request_error', 'parameter_unknown', 'status');
});

// ----------------------------------------------------------------- cancel

test('delete_cancels_a_scheduled_payment', async () => {
	const c = await newCustomer();
	const s = await scheduled({ customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY });
	const d = expectOk(await cancel(s.id));
	assert.deepEqual(d, { ...s, status: 'canceled' });
	assert.deepEqual(expectOk(await getSched(s.id)), d);
});

test('a_second_delete_is_refused_with_parameter_invalid', async () => {
	const c = await newCustomer();
	const s = await scheduled({ customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY });
	expectOk(await cancel(s.id));
	expectError(await cancel(s.id), 400, 'invalid_request_error',
	    'parameter_invalid');
	assert.equal(expectOk(await getSched(s.id)).status, 'canceled');
});

test('delete_unknown_or_foreign_schedule_answers_404', async () => {
	const theirs = await scheduled({ customer: (await newCustomer(
	    other.testKey)).id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY }, other.testKey);
	for (const id of ['sched_ZZZZZZZZZZZZZZZZ', theirs.id])
		expectError(await cancel(id), 404, 'invalid_request_error',
		    'resource_missing', 'id');
	assert.equal(expectOk(await getSched(theirs.id, other.testKey)).status,
	    'scheduled');
});

test('wrong_methods_answer_405_with_allow', async () => {
	for (const [path, method] of [['/v1/payment_schedules', 'DELETE'],
	    ['/v1/payment_schedules/sched_ZZZZZZZZZZZZZZZZ', 'POST']]) {
		const r = await call(path, { method, key: acct.testKey,
		    json: {} });
		expectError(r, 405, 'invalid_request_error', 'method_not_allowed');
		assert.ok(r.headers.get('allow'), `${method} ${path}: no Allow`);
	}
});

// ---------------------------------------------- run by pesaswap-jobs

test('a_schedule_runs_once_when_its_clock_reaches_run_at', async () => {
	const t = utc(2024, 3, 1);
	const { clock, customer } = await clockCustomer(t);
	const s = await scheduled({ customer: customer.id, amount: 7500,
	    currency: 'usd', run_at: t + DAY, description: 'Deposit',
	    metadata: { order: 'B-9' } });
	await advance(clock, t + DAY - 1);
	await sleep(QUIET_MS);
	assert.equal(expectOk(await getSched(s.id)).status, 'scheduled',
	    'it ran before run_at');
	assert.deepEqual(await paymentsOf(customer), []);
	await advance(clock, t + DAY);
	const done = await schedUntil(s.id, (x) => x.status !== 'scheduled',
	    'the schedule runs at run_at');
	assert.equal(done.status, 'succeeded');
	assert.match(done.payment ?? '', /^pay_[0-9A-Za-z]{16}$/);
	assert.deepEqual({ ...done, status: 'scheduled', payment: null }, s,
	    'nothing else changes');
	const pays = await paymentsOf(customer);
	assert.equal(pays.length, 1);
	const p = pays[0];
	assert.equal(p.id, done.payment);
	assert.equal(p.amount, 7500);
	assert.equal(p.currency, 'usd');
	assert.equal(p.customer, customer.id);
	assert.equal(p.description, 'Deposit');
	assert.equal(p.status, 'succeeded');
	assert.deepEqual(p.metadata, { payment_schedule: s.id });
	assert.equal(p.created, t + DAY, 'made at the clock time');
	// time goes on: it never runs again
	await advance(clock, t + 40 * DAY);
	await sleep(QUIET_MS);
	assert.equal((await paymentsOf(customer)).length, 1);
	assert.deepEqual(expectOk(await getSched(s.id)), done);
	expectError(await cancel(s.id), 400, 'invalid_request_error',
	    'parameter_invalid');
});

test('a_clock_jump_far_past_run_at_runs_it_once', async () => {
	const t = utc(2024, 5, 10);
	const { clock, customer } = await clockCustomer(t);
	const s = await scheduled({ customer: customer.id, amount: 300,
	    currency: 'eur', run_at: t + 3600 });
	await advance(clock, t + 365 * DAY);
	const done = await schedUntil(s.id, (x) => x.status !== 'scheduled',
	    'the schedule runs');
	assert.equal(done.status, 'succeeded');
	await sleep(QUIET_MS);
	const pays = await paymentsOf(customer);
	assert.equal(pays.length, 1);
	assert.equal(pays[0].created, t + 365 * DAY);
});

test('a_schedule_canceled_before_run_at_never_runs', async () => {
	const t = utc(2024, 7, 1);
	const { clock, customer } = await clockCustomer(t);
	const s = await scheduled({ customer: customer.id, amount: 100,
	    currency: 'usd', run_at: t + DAY });
	await advance(clock, t + DAY / 2);
	expectOk(await cancel(s.id));
	await advance(clock, t + 2 * DAY);
	await sleep(QUIET_MS);
	const after = expectOk(await getSched(s.id));
	assert.equal(after.status, 'canceled');
	assert.equal(after.payment, null);
	assert.deepEqual(await paymentsOf(customer), []);
});

test('a_declining_payment_method_makes_a_failed_schedule', async () => {
	const t = utc(2024, 8, 1);
	const { clock, customer } = await clockCustomer(t);
	const s = await scheduled({ customer: customer.id, amount: 900,
	    currency: 'usd', run_at: t + 60,
	    payment_method: 'pm_card_chargeDeclined' });
	await advance(clock, t + 60);
	const done = await schedUntil(s.id, (x) => x.status !== 'scheduled',
	    'the schedule runs');
	assert.equal(done.status, 'failed');
	const p = expectOk(await call(`/v1/payments/${done.payment}`,
	    { key: acct.testKey }));
	assert.equal(p.status, 'failed');
	assert.equal(p.failure_code, 'card_declined');
	assert.equal(p.payment_method, 'pm_card_chargeDeclined');
	assert.deepEqual(p.metadata, { payment_schedule: s.id });
	await advance(clock, t + 30 * DAY);
	await sleep(QUIET_MS);
	assert.equal((await paymentsOf(customer)).length, 1,
	    'a failed schedule is not tried again');
});

test('without_payment_method_the_customers_default_is_charged', async () => {
	const t = utc(2024, 9, 1);
	const { clock, customer } = await clockCustomer(t);
	const pm = await attach(customer, 'pm_card_mastercard');
	expectOk(await call(`/v1/customers/${customer.id}`, { method: 'POST',
	    key: acct.testKey, json: { invoice_settings:
	    { default_payment_method: pm.id } } }));
	const s = await scheduled({ customer: customer.id, amount: 4000,
	    currency: 'usd', run_at: t + 60 });
	await advance(clock, t + 120);
	const done = await schedUntil(s.id, (x) => x.status !== 'scheduled',
	    'the schedule runs');
	assert.equal(done.status, 'succeeded');
	const p = expectOk(await call(`/v1/payments/${done.payment}`,
	    { key: acct.testKey }));
	assert.equal(p.payment_method, pm.id);
});

test('a_saved_payment_method_named_by_the_schedule_is_charged', async () => {
	const t = utc(2024, 10, 1);
	const { clock, customer } = await clockCustomer(t);
	const pm = await attach(customer, 'pm_card_amex');
	const s = await scheduled({ customer: customer.id, amount: 4000,
	    currency: 'usd', run_at: t + 60, payment_method: pm.id });
	await advance(clock, t + 60);
	const done = await schedUntil(s.id, (x) => x.status !== 'scheduled',
	    'the schedule runs');
	assert.equal(done.status, 'succeeded');
	assert.equal(expectOk(await call(`/v1/payments/${done.payment}`,
	    { key: acct.testKey })).payment_method, pm.id);
});

test('running_writes_the_payment_event', async () => {
	const t = utc(2024, 11, 1);
	const { clock, customer } = await clockCustomer(t);
	const s = await scheduled({ customer: customer.id, amount: 250,
	    currency: 'usd', run_at: t + 60 });
	await advance(clock, t + 60);
	const done = await schedUntil(s.id, (x) => x.status !== 'scheduled',
	    'the schedule runs');
	const l = expectOk(await call('/v1/events?type=payment.succeeded&limit=100',
	    { key: acct.testKey }));
	const ev = l.data.filter((e) => e.data.object.id === done.payment);
	assert.equal(ev.length, 1);
	assert.deepEqual(ev[0].data.object.metadata, { payment_schedule: s.id });
});

test('only_the_clocks_own_customers_are_moved_by_it', async () => {
	const t = utc(2024, 12, 1);
	const { clock, customer } = await clockCustomer(t);
	const { customer: still } = await clockCustomer(t);
	const a = await scheduled({ customer: customer.id, amount: 100,
	    currency: 'usd', run_at: t + 60 });
	const b = await scheduled({ customer: still.id, amount: 100,
	    currency: 'usd', run_at: t + 60 });
	await advance(clock, t + 60);
	await schedUntil(a.id, (x) => x.status === 'succeeded', 'the schedule runs');
	await sleep(QUIET_MS);
	assert.equal(expectOk(await getSched(b.id)).status, 'scheduled',
	    'a schedule on another clock ran');
});

test('twenty_schedules_due_at_once_each_run_exactly_once', async () => {
	const t = utc(2025, 1, 15);
	const { clock, customer } = await clockCustomer(t);
	const made = [];
	for (let i = 0; i < 20; i++)
		made.push(await scheduled({ customer: customer.id, amount: 100 + i,
		    currency: 'usd', run_at: t + 60 + i }));
	await advance(clock, t + DAY);
	for (const s of made)
		await schedUntil(s.id, (x) => x.status === 'succeeded',
		    `schedule ${s.id} runs`);
	await sleep(QUIET_MS);
	const pays = await paymentsOf(customer);
	assert.equal(pays.length, 20);
	assert.deepEqual(pays.map((p) => p.metadata.payment_schedule).sort(),
	    made.map((s) => s.id).sort());
});

test('a_schedule_without_a_clock_runs_at_its_real_run_at', async () => {
	const c = await newCustomer();
	const runAt = nowSec() + 2;
	const s = await scheduled({ customer: c.id, amount: 150, currency: 'usd',
	    run_at: runAt });
	const done = await schedUntil(s.id, (x) => x.status !== 'scheduled',
	    'the schedule runs', RUN_MS + 3000);
	assert.equal(done.status, 'succeeded');
	assert.ok(nowSec() >= runAt, 'it ran before run_at');
	const pays = await paymentsOf(c);
	assert.equal(pays.length, 1);
	assert.ok(pays[0].created >= runAt);
});

// ------------------------------------------- idempotency and permissions

test('a_retried_create_with_the_same_idempotency_key_makes_one_schedule', async () => {
	const c = await newCustomer();
	const idem = { 'Idempotency-Key': uniq('idem-sched-') };
	const json = { customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY };
	const a = await schedule(json, acct.testKey, idem);
	const b = await schedule(json, acct.testKey, idem);
	assert.deepEqual(expectOk(b), expectOk(a));
	assert.equal(b.headers.get('idempotent-replayed'), 'true');
	assert.equal((await listAll(`customer=${c.id}`)).length, 1);
});

test('subscriptions_read_key_reads_but_cannot_write', async () => {
	const c = await newCustomer();
	const s = await scheduled({ customer: c.id, amount: 100, currency: 'usd',
	    run_at: nowSec() + DAY });
	const { key } = await newKey(acct, 'test', 'subscriptions:read');
	assert.deepEqual(expectOk(await getSched(s.id, key)), s);
	expectError(await schedule({ customer: c.id, amount: 100,
	    currency: 'usd', run_at: nowSec() + DAY }, key), 403,
	    'permission_error', 'permission_denied');
	expectError(await cancel(s.id, key), 403, 'permission_error',
	    'permission_denied');
	assert.equal(expectOk(await getSched(s.id)).status, 'scheduled');
});

test('payments_keys_cannot_touch_schedules', async () => {
	const { key } = await newKey(acct, 'test', ['payments:write',
	    'customers:write']);
	expectError(await list('', key), 403, 'permission_error',
	    'permission_denied');
});
