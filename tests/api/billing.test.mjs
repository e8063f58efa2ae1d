// Test clocks and the billing clock of pesaswap-jobs (API.md "Prices,
// subscriptions, payment schedules"; issue 5 "What must work" and
// "Tests"; README "Recurring billing").
//
// Test clocks: create, retrieve, list, advance, delete, test mode only,
// and customers attached to one at creation. Billing runs, each on its
// own clock: a subscription started 31 January 2024 and advanced to 1
// March 2025 has exactly 13 renewals plus the first payment, its periods
// ending on the months' last days; a yearly one started on 29 February;
// a declined default payment method makes it past_due (events
// subscription.updated and payment.failed), retried 1, 3 and 5 days after
// each failed attempt by the clock, then canceled; cancel_at_period_end
// ends it at the period's end with no charge; DELETE stops it at once;
// an incomplete one expires after 23 hours. Exactly once: two
// pesaswap-jobs with 500 subscriptions due at once make exactly 500
// renewals, and a pesaswap-jobs SIGKILLed in the middle of a large
// catch-up and restarted leaves no period charged twice or skipped.
//
// The stack's pesaswap-jobs is stopped, killed and started here
// (tests/lib/jobs.mjs); every test puts it back running, even on failure.
// It looks for due work every 200 ms: what is due happens within the
// bounds below, and QUIET_MS without a change means nothing more comes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail, sleep }
    from '../lib/openapi.mjs';
import { startJobs, stopJobs, spawnJobs, jobsPid } from '../lib/jobs.mjs';

const STEP_MS = 15000;		// one due step (renewal, retry) happens within
const CATCH_UP_MS = 120000;	// a large catch-up finishes within
const QUIET_MS = 1500;		// "nothing happens": several job polls

let acct;	// the clock API tests and the small billing runs
let other;	// another account, for isolation
before(async () => {
	acct = await newAccount('api-billing');
	other = await newAccount('api-billing-other');
	await startJobs();
});
after(async () => {
	await startJobs();	// the stack keeps its pesaswap-jobs
});

const CLOCK_KEYS = ['id', 'object', 'name', 'frozen_time', 'status',
    'created', 'livemode'];

const DAY = 86400;
const utc = (y, m, d) => Date.UTC(y, m - 1, d) / 1000;
const day = (t) => new Date(t * 1000).toISOString().slice(0, 10);

const clocks = (qs = '', key = acct.testKey) =>
    call(`/v1/test_helpers/test_clocks${qs ? '?' + qs : ''}`, { key });
const createClock = (json, key = acct.testKey) =>
    call('/v1/test_helpers/test_clocks', { method: 'POST', key, json });
const getClock = (id, key = acct.testKey) =>
    call(`/v1/test_helpers/test_clocks/${id}`, { key });
const advanceClock = (id, json, key = acct.testKey) =>
    call(`/v1/test_helpers/test_clocks/${id}/advance`, { method: 'POST', key,
    json });
const deleteClock = (id, key = acct.testKey) =>
    call(`/v1/test_helpers/test_clocks/${id}`, { method: 'DELETE', key });

async function newClock(frozen, key = acct.testKey, name) {
	return expectOk(await createClock(name === undefined ?
	    { frozen_time: frozen } : { frozen_time: frozen, name }, key));
}
async function advance(clock, to, key = acct.testKey) {
	const c = expectOk(await advanceClock(clock.id, { frozen_time: to }, key));
	assert.equal(c.frozen_time, to);
	return c;
}

const createCustomer = (json, key = acct.testKey) =>
    call('/v1/customers', { method: 'POST', key, json });
async function newCustomer(key = acct.testKey, extra = {}) {
	return expectOk(await createCustomer({ name: 'Billed',
	    email: uniqEmail('bill'), ...extra }, key));
}

async function price(extra = {}, key = acct.testKey) {
	return expectOk(await call('/v1/prices', { method: 'POST', key,
	    json: { unit_amount: 2000, currency: 'usd',
	    recurring: { interval: 'month' }, ...extra } }));
}

async function subscribed(json, key = acct.testKey) {
	return expectOk(await call('/v1/subscriptions', { method: 'POST', key,
	    json }));
}
const getSub = async (id, key = acct.testKey) =>
    expectOk(await call(`/v1/subscriptions/${id}`, { key }));

// A customer on a new clock at T, subscribed to PRICE: {clock, customer, sub}.
async function clockSubscription(t, pr, key = acct.testKey, extra = {}) {
	const clock = await newClock(t, key);
	const customer = await newCustomer(key, { test_clock: clock.id });
	const sub = await subscribed({ customer: customer.id, price: pr.id,
	    ...extra }, key);
	assert.equal(sub.test_clock, clock.id);
	assert.equal(sub.current_period_start, t);
	return { clock, customer, sub };
}

// Saves TOKEN for customer C and makes it the default payment method.
async function setDefault(c, token, key = acct.testKey) {
	const pm = expectOk(await call(`/v1/customers/${c.id}/payment_methods`,
	    { method: 'POST', key, json: { payment_method: token } }));
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'POST', key,
	    json: { invoice_settings: { default_payment_method: pm.id } } }));
	return pm;
}

// Every page of PATH (a list URL with its query), newest first.
async function listAll(path, key = acct.testKey) {
	const out = [];
	let cursor = null;
	const sep = path.includes('?') ? '&' : '?';
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 1000, 'too many pages');
		const l = expectOk(await call(`${path}${sep}limit=100` +
		    (cursor ? `&starting_after=${cursor}` : ''), { key }));
		out.push(...l.data);
		if (!l.has_more)
			return out;
		cursor = l.data[l.data.length - 1].id;
	}
}

// Subscription S's payments, oldest first.
async function paymentsOf(s, key = acct.testKey) {
	return (await listAll(`/v1/payments?customer=${s.customer}`, key))
	    .filter((p) => p.metadata.subscription === s.id).reverse();
}

// The events of TYPE about object ID, oldest first.
async function eventsAbout(type, id, key = acct.testKey) {
	return (await listAll(`/v1/events?type=${type}`, key))
	    .filter((e) => e.data.object.id === id).reverse();
}

// Polls FN() every EVERY ms until PRED(value) holds; fails after MS with
// WHAT. (A poll that pages through thousands of payments waits longer
// between polls, to stay under the per-key rate limit.)
async function until(fn, pred, what, ms = STEP_MS, every = 100) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (pred(v))
			return v;
		assert.ok(Date.now() < end, `${what}: not within ${ms} ms: ` +
		    JSON.stringify(v).slice(0, 600));
		await sleep(every);
	}
}

const subUntil = (s, pred, what, ms, key = acct.testKey) =>
    until(() => getSub(s.id, key), pred, what, ms);

// Checks that subscription S and its payments do not change for QUIET_MS.
async function staysPut(s, what, key = acct.testKey) {
	const before = await getSub(s.id, key);
	const pays = (await paymentsOf(s, key)).length;
	await sleep(QUIET_MS);
	assert.deepEqual(await getSub(s.id, key), before, `${what}: it changed`);
	assert.equal((await paymentsOf(s, key)).length, pays,
	    `${what}: a payment was made`);
	return before;
}

// N items made by MAKE(i, key) with up to CONC at once, spreading the
// requests over KEYS (the rate limit is per key) and waiting out 429s.
async function many(n, keys, make, conc = 8) {
	const out = new Array(n);
	let next = 0;
	const worker = async () => {
		while (next < n) {
			const i = next++;
			for (let tries = 0; ; tries++) {
				const r = await make(i, keys[i % keys.length]);
				if (r.status === 429 && tries < 50) {
					await sleep(1000 *
					    (Number(r.headers.get('retry-after')) || 1));
					continue;
				}
				out[i] = expectOk(r);
				break;
			}
		}
	};
	await Promise.all(Array.from({ length: conc }, worker));
	return out;
}

// ============================================================ test clocks

test('create_clock_answers_every_field_in_order', async () => {
	const c = await newClock(utc(2024, 1, 31), acct.testKey, 'Month ends');
	assert.deepEqual(Object.keys(c), CLOCK_KEYS);
	assert.match(c.id, /^clock_[0-9A-Za-z]{16}$/);
	assert.equal(c.object, 'test_helpers.test_clock');
	assert.equal(c.name, 'Month ends');
	assert.equal(c.frozen_time, utc(2024, 1, 31));
	assert.equal(c.status, 'ready');
	assert.ok(Math.abs(c.created - Date.now() / 1000) < 120);
	assert.equal(c.livemode, false);
});

// One rule for free text (issue 13): "" is no name; it was refused.
test('create_clock_with_empty_name_has_name_null', async () => {
	assert.equal((await newClock(utc(2030, 1, 1), acct.testKey, '')).name,
	    null);
});

test('create_clock_without_name_has_name_null', async () => {
	assert.equal((await newClock(utc(2030, 1, 1))).name, null);
});

test('create_clock_form_encoded_as_stripe_clients_send_it', async () => {
	const c = expectOk(await call('/v1/test_helpers/test_clocks', {
	    method: 'POST', key: acct.testKey,
	    form: 'frozen_time=1706659200&name=Form+clock' }));
	assert.equal(c.frozen_time, 1706659200);
	assert.equal(c.name, 'Form clock');
});

test('create_clock_without_frozen_time_is_parameter_missing', async () => {
	expectError(await createClock({ name: 'x' }), 400,
	    'invalid_request_error', 'parameter_missing', 'frozen_time');
});

test('create_clock_with_a_bad_frozen_time_is_parameter_invalid', async () => {
	for (const t of ['soon', -1, 1.5, true])
		expectError(await createClock({ frozen_time: t }), 400,
		    'invalid_request_error', 'parameter_invalid', 'frozen_time');
});

test('create_clock_with_an_unknown_parameter_is_refused', async () => {
	expectError(await createClock({ frozen_time: 1, customer: 'x' }), 400,
	    'invalid_request_error', 'parameter_unknown', 'customer');
});

test('test_clocks_are_test_mode_only', async () => {
	const before = expectOk(await clocks('', acct.liveKey)).data.length;
	expectError(await createClock({ frozen_time: utc(2024, 1, 1) },
	    acct.liveKey), 400, 'invalid_request_error', 'parameter_invalid');
	assert.equal(expectOk(await clocks('', acct.liveKey)).data.length,
	    before);
	const c = await newClock(utc(2024, 1, 1));
	expectError(await getClock(c.id, acct.liveKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	expectError(await advanceClock(c.id, { frozen_time: utc(2024, 2, 1) },
	    acct.liveKey), 404, 'invalid_request_error', 'resource_missing');
	expectError(await deleteClock(c.id, acct.liveKey), 404,
	    'invalid_request_error', 'resource_missing');
	assert.equal(expectOk(await getClock(c.id)).frozen_time, utc(2024, 1, 1));
});

test('retrieve_clock_answers_it_and_404s_for_unknown_or_foreign', async () => {
	const c = await newClock(utc(2024, 1, 1));
	assert.deepEqual(expectOk(await getClock(c.id)), c);
	const theirs = await newClock(utc(2024, 1, 1), other.testKey);
	for (const id of ['clock_ZZZZZZZZZZZZZZZZ', theirs.id])
		expectError(await getClock(id), 404, 'invalid_request_error',
		    'resource_missing', 'id');
});

test('list_clocks_is_newest_first_with_cursors', async () => {
	const acc = await newAccount('api-billing-clocks');
	const made = [];
	for (let i = 0; i < 4; i++)
		made.push(await newClock(utc(2024, 1, 1 + i), acc.testKey));
	const l = expectOk(await clocks('limit=3', acc.testKey));
	assert.equal(l.object, 'list');
	assert.equal(l.url, '/v1/test_helpers/test_clocks');
	assert.equal(l.has_more, true);
	assert.deepEqual(l.data, made.slice(1).reverse());
	const rest = expectOk(await clocks(`starting_after=${made[1].id}`,
	    acc.testKey));
	assert.deepEqual(rest.data, [made[0]]);
	assert.equal(rest.has_more, false);
	const back = expectOk(await clocks(`ending_before=${made[1].id}&limit=2`,
	    acc.testKey));
	assert.deepEqual(back.data.map((c) => c.id), [made[3].id, made[2].id]);
	expectError(await clocks('starting_after=clock_ZZZZZZZZZZZZZZZZ',
	    acc.testKey), 400, 'invalid_request_error', 'resource_missing',
	    'starting_after');
});

test('advance_moves_the_clock_forward', async () => {
	const c = await newClock(utc(2024, 1, 1));
	const a = await advance(c, utc(2024, 6, 1));
	assert.deepEqual(a, { ...c, frozen_time: utc(2024, 6, 1) });
	assert.deepEqual(expectOk(await getClock(c.id)), a);
	const f = expectOk(await call(`/v1/test_helpers/test_clocks/${c.id}/advance`,
	    { method: 'POST', key: acct.testKey,
	    form: `frozen_time=${utc(2024, 7, 1)}` }));
	assert.equal(f.frozen_time, utc(2024, 7, 1));
});

test('advance_to_the_same_or_an_earlier_time_is_parameter_invalid', async () => {
	const c = await newClock(utc(2024, 3, 1));
	for (const t of [utc(2024, 3, 1), utc(2024, 2, 1), 0])
		expectError(await advanceClock(c.id, { frozen_time: t }), 400,
		    'invalid_request_error', 'parameter_invalid', 'frozen_time');
	assert.equal(expectOk(await getClock(c.id)).frozen_time, utc(2024, 3, 1));
});

test('advance_without_frozen_time_is_parameter_missing', async () => {
	const c = await newClock(utc(2024, 3, 1));
	expectError(await advanceClock(c.id, {}), 400, 'invalid_request_error',
	    'parameter_missing', 'frozen_time');
	expectError(await advanceClock(c.id, { frozen_time: utc(2025, 1, 1),
	    name: 'x' }), 400, 'invalid_request_error', 'parameter_unknown',
	    'name');
});

test('advance_an_unknown_or_foreign_clock_answers_404', async () => {
	const theirs = await newClock(utc(2024, 1, 1), other.testKey);
	for (const id of ['clock_ZZZZZZZZZZZZZZZZ', theirs.id])
		expectError(await advanceClock(id, { frozen_time: utc(2025, 1, 1) }),
		    404, 'invalid_request_error', 'resource_missing', 'id');
	assert.equal(expectOk(await getClock(theirs.id, other.testKey))
	    .frozen_time, utc(2024, 1, 1));
});

test('delete_clock_answers_deleted_and_it_is_gone', async () => {
	const c = await newClock(utc(2024, 1, 1));
	assert.deepEqual(expectOk(await deleteClock(c.id)),
	    { id: c.id, object: 'test_helpers.test_clock', deleted: true });
	expectError(await getClock(c.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	expectError(await deleteClock(c.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	expectError(await advanceClock(c.id, { frozen_time: utc(2025, 1, 1) }),
	    404, 'invalid_request_error', 'resource_missing', 'id');
	assert.ok(!(await listAll('/v1/test_helpers/test_clocks'))
	    .some((x) => x.id === c.id));
	expectError(await createCustomer({ name: 'Late', email: uniqEmail('dc'),
	    test_clock: c.id }), 400, 'invalid_request_error',
	    'resource_missing', 'test_clock');
});

test('delete_an_unknown_or_foreign_clock_answers_404', async () => {
	const theirs = await newClock(utc(2024, 1, 1), other.testKey);
	for (const id of ['clock_ZZZZZZZZZZZZZZZZ', theirs.id])
		expectError(await deleteClock(id), 404, 'invalid_request_error',
		    'resource_missing', 'id');
	expectOk(await getClock(theirs.id, other.testKey));
});

test('clocks_need_the_subscriptions_permissions', async () => {
	const c = await newClock(utc(2024, 1, 1));
	const read = (await newKey(acct, 'test', 'subscriptions:read')).key;
	assert.deepEqual(expectOk(await getClock(c.id, read)), c);
	expectOk(await clocks('', read));
	expectError(await createClock({ frozen_time: 1 }, read), 403,
	    'permission_error', 'permission_denied');
	expectError(await advanceClock(c.id, { frozen_time: utc(2025, 1, 1) },
	    read), 403, 'permission_error', 'permission_denied');
	expectError(await deleteClock(c.id, read), 403, 'permission_error',
	    'permission_denied');
	const cust = (await newKey(acct, 'test', 'customers:write')).key;
	expectError(await clocks('', cust), 403, 'permission_error',
	    'permission_denied');
	assert.deepEqual(expectOk(await getClock(c.id)), c);
});

// ---------------------------------------------- customers on a test clock

test('a_customer_created_with_test_clock_shows_it', async () => {
	const c = await newClock(utc(2024, 1, 1));
	const cust = await newCustomer(acct.testKey, { test_clock: c.id });
	assert.equal(cust.test_clock, c.id);
	assert.deepEqual(Object.keys(cust).slice(-2), ['test_clock', 'livemode']);
	assert.deepEqual(expectOk(await call(`/v1/customers/${cust.id}`,
	    { key: acct.testKey })), cust);
	assert.ok((await listAll('/v1/customers')).some((x) =>
	    x.id === cust.id && x.test_clock === c.id));
});

test('test_clock_form_encoded_at_customer_creation', async () => {
	const c = await newClock(utc(2024, 1, 1));
	const cust = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, form: `name=Form&email=${encodeURIComponent(
	    uniqEmail('fc'))}&test_clock=${c.id}` }));
	assert.equal(cust.test_clock, c.id);
});

test('a_customer_without_a_clock_has_test_clock_null', async () => {
	assert.equal((await newCustomer()).test_clock, null);
});

test('an_unknown_or_foreign_test_clock_is_resource_missing', async () => {
	const theirs = await newClock(utc(2024, 1, 1), other.testKey);
	for (const id of ['clock_ZZZZZZZZZZZZZZZZ', theirs.id, 'nonsense']) {
		const email = uniqEmail('uc');
		expectError(await createCustomer({ name: 'N', email,
		    test_clock: id }), 400, 'invalid_request_error',
		    'resource_missing', 'test_clock');
		assert.deepEqual(expectOk(await call('/v1/customers?email=' +
		    encodeURIComponent(email), { key: acct.testKey })).data, [],
		    'a refused create stored a customer');
	}
});

test('a_live_customer_cannot_use_a_test_clock', async () => {
	const c = await newClock(utc(2024, 1, 1));
	expectError(await createCustomer({ name: 'Live', email: uniqEmail('lv'),
	    test_clock: c.id }, acct.liveKey), 400, 'invalid_request_error',
	    'resource_missing', 'test_clock');
});

test('test_clock_cannot_be_set_on_update', async () => {
	const c = await newClock(utc(2024, 1, 1));
	const cust = await newCustomer();
	expectError(await call(`/v1/customers/${cust.id}`, { method: 'POST',
	    key: acct.testKey, json: { test_clock: c.id } }), 400,
	    'invalid_request_error', 'parameter_invalid', 'test_clock');
	assert.equal(expectOk(await call(`/v1/customers/${cust.id}`,
	    { key: acct.testKey })).test_clock, null);
});

// ============================================================ billing runs

test('thirteen_monthly_renewals_from_31_january_2024_to_1_march_2025', async () => {
	const acc = await newAccount('api-billing-13');
	const pr = await price({ unit_amount: 2900 }, acc.testKey);
	const start = utc(2024, 1, 31);
	const { clock, customer, sub } = await clockSubscription(start, pr,
	    acc.testKey);
	assert.equal(sub.status, 'active');
	assert.equal(day(sub.current_period_end), '2024-02-29');
	// just before the first period ends: nothing
	await advance(clock, utc(2024, 2, 29) - 1, acc.testKey);
	await staysPut(sub, 'before the period end', acc.testKey);
	const end = utc(2025, 3, 1);
	await advance(clock, end, acc.testKey);
	const done = await subUntil(sub, (s) =>
	    s.current_period_end > end, 'the catch-up to 1 March 2025',
	    CATCH_UP_MS, acc.testKey);
	const settled = await staysPut(done, 'after the catch-up', acc.testKey);
	assert.equal(settled.status, 'active');
	assert.equal(day(settled.current_period_start), '2025-02-28');
	assert.equal(day(settled.current_period_end), '2025-03-31');
	const pays = await paymentsOf(sub, acc.testKey);
	assert.equal(pays.length, 14, '13 renewals and the first payment');
	assert.deepEqual(pays.map((p) => p.description), Array.from(
	    { length: 14 }, (_, i) => `Subscription ${sub.id}, period ${i + 1}`));
	for (const p of pays) {
		assert.equal(p.status, 'succeeded');
		assert.equal(p.amount, 2900);
		assert.equal(p.currency, 'usd');
		assert.equal(p.customer, customer.id);
		assert.deepEqual(p.metadata, { subscription: sub.id });
	}
	assert.equal(pays[0].created, start);
	for (const p of pays.slice(1))
		assert.equal(p.created, end, 'a renewal is made at the clock time');
	assert.equal(settled.latest_payment, pays[13].id);
	// every renewal wrote subscription.updated; their period ends are the
	// last days of the months, the 31 January anchor kept
	const ends = (await eventsAbout('subscription.updated', sub.id,
	    acc.testKey)).map((e) => day(e.data.object.current_period_end));
	assert.deepEqual(ends, ['2024-03-31', '2024-04-30', '2024-05-31',
	    '2024-06-30', '2024-07-31', '2024-08-31', '2024-09-30', '2024-10-31',
	    '2024-11-30', '2024-12-31', '2025-01-31', '2025-02-28', '2025-03-31']);
	const paid = await listAll('/v1/events?type=payment.succeeded',
	    acc.testKey);
	assert.equal(paid.filter((e) =>
	    e.data.object.metadata.subscription === sub.id).length, 14);
});

test('a_yearly_subscription_started_29_february_keeps_its_anchor', async () => {
	const pr = await price({ unit_amount: 30000,
	    recurring: { interval: 'year' } });
	const { clock, sub } = await clockSubscription(utc(2024, 2, 29), pr);
	assert.equal(day(sub.current_period_end), '2025-02-28');
	await advance(clock, utc(2028, 3, 1));
	const done = await subUntil(sub, (s) =>
	    s.current_period_end > utc(2028, 3, 1), 'the catch-up to 2028',
	    CATCH_UP_MS);
	assert.equal(day(done.current_period_start), '2028-02-29');
	assert.equal(day(done.current_period_end), '2029-02-28');
	await staysPut(done, 'after the catch-up');
	assert.equal((await paymentsOf(sub)).length, 5);
	const ends = (await eventsAbout('subscription.updated', sub.id))
	    .map((e) => day(e.data.object.current_period_end));
	assert.deepEqual(ends, ['2026-02-28', '2027-02-28', '2028-02-29',
	    '2029-02-28']);
});

test('day_and_week_prices_renew_every_interval_count', async () => {
	const every3 = await price({ unit_amount: 100,
	    recurring: { interval: 'day', interval_count: 3 } });
	const fortnight = await price({ unit_amount: 700,
	    recurring: { interval: 'week', interval_count: 2 } });
	const t = utc(2024, 4, 1) + 9 * 3600;
	const a = await clockSubscription(t, every3);
	const b = await clockSubscription(t, fortnight);
	await advance(a.clock, t + 30 * DAY);
	await advance(b.clock, t + 30 * DAY);
	const da = await subUntil(a.sub, (s) => s.current_period_end >
	    t + 30 * DAY, 'the 3-day catch-up');
	const db = await subUntil(b.sub, (s) => s.current_period_end >
	    t + 30 * DAY, 'the 2-week catch-up');
	assert.equal(da.current_period_start, t + 30 * DAY);
	assert.equal(da.current_period_end, t + 33 * DAY);
	assert.equal(db.current_period_start, t + 28 * DAY);
	assert.equal(db.current_period_end, t + 42 * DAY);
	await staysPut(da, 'after the catch-up');
	assert.equal((await paymentsOf(a.sub)).length, 11, '10 renewals + first');
	assert.equal((await paymentsOf(b.sub)).length, 3, '2 renewals + first');
});

test('renewals_charge_the_default_payment_method', async () => {
	const pr = await price();
	const t = utc(2024, 5, 15);
	const { clock, customer, sub } = await clockSubscription(t, pr);
	const pm = await setDefault(customer, 'pm_card_mastercard');
	await advance(clock, utc(2024, 6, 15));
	const done = await subUntil(sub, (s) => s.current_period_start ===
	    utc(2024, 6, 15), 'the renewal');
	assert.equal(done.status, 'active');
	const p = expectOk(await call(`/v1/payments/${done.latest_payment}`,
	    { key: acct.testKey }));
	assert.equal(p.payment_method, pm.id);
	assert.equal(p.status, 'succeeded');
	assert.equal(p.description, `Subscription ${sub.id}, period 2`);
});

test('a_declined_renewal_is_past_due_retried_after_1_3_5_days_then_canceled', async () => {
	const pr = await price({ unit_amount: 1500 });
	const t = utc(2024, 4, 1);
	const { clock, customer, sub } = await clockSubscription(t, pr);
	assert.equal(sub.status, 'active');
	const pm = await setDefault(customer, 'pm_card_chargeDeclined');
	const e = utc(2024, 5, 1);	// the first period's end
	await advance(clock, e);
	const due = await subUntil(sub, (s) => s.status !== 'active',
	    'the declined renewal');
	assert.equal(due.status, 'past_due');
	const failed = async () => (await paymentsOf(sub))
	    .filter((p) => p.status === 'failed');
	const first = await failed();
	assert.equal(first.length, 1);
	assert.equal(first[0].id, due.latest_payment);
	assert.equal(first[0].failure_code, 'card_declined');
	assert.equal(first[0].payment_method, pm.id);
	assert.equal(first[0].created, e);
	assert.equal(first[0].description, `Subscription ${sub.id}, period 2`);
	// the events
	const updated = await eventsAbout('subscription.updated', sub.id);
	assert.ok(updated.some((ev) => ev.data.object.status === 'past_due' &&
	    ev.data.object.latest_payment === first[0].id),
	    'no subscription.updated with status past_due');
	const pf = await eventsAbout('payment.failed', first[0].id);
	assert.equal(pf.length, 1);
	assert.deepEqual(pf[0].data.object, first[0]);
	// retried 1, 3 and 5 days after each failed attempt, not before
	let at = e;
	for (const [n, days] of [[2, 1], [3, 3], [4, 5]]) {
		await advance(clock, at + days * DAY - 1);
		await staysPut(sub, `${days} day(s) after attempt ${n - 1}, ` +
		    'one second early');
		at += days * DAY;
		await advance(clock, at);
		const f = await until(failed, (l) => l.length >= n,
		    `retry ${n - 1}, ${days} day(s) after the failure`);
		assert.equal(f.length, n);
		assert.equal(f[n - 1].created, at);
		assert.equal(f[n - 1].description,
		    `Subscription ${sub.id}, period 2`);
		if (n < 4)
			assert.equal((await getSub(sub.id)).status, 'past_due');
	}
	// after the third retry fails: canceled
	const gone = await subUntil(sub, (s) => s.status === 'canceled',
	    'canceled after the last retry');
	assert.equal(gone.canceled_at, at);
	const deleted = await eventsAbout('subscription.deleted', sub.id);
	assert.equal(deleted.length, 1);
	assert.equal(deleted[0].data.object.status, 'canceled');
	// nothing more, ever
	await advance(clock, utc(2024, 9, 1));
	await staysPut(gone, 'after the cancellation');
	const all = await paymentsOf(sub);
	assert.equal(all.length, 5, 'the first payment, the renewal, 3 retries');
	assert.equal(all.filter((p) => p.status === 'failed').length, 4);
});

test('a_past_due_subscription_that_pays_on_retry_is_active_again', async () => {
	const pr = await price();
	const t = utc(2024, 2, 10);
	const { clock, customer, sub } = await clockSubscription(t, pr);
	await setDefault(customer, 'pm_card_insufficientFunds');
	await advance(clock, utc(2024, 3, 10));
	await subUntil(sub, (s) => s.status === 'past_due', 'past due');
	const visa = await setDefault(customer, 'pm_card_visa');
	await advance(clock, utc(2024, 3, 11));
	const ok = await subUntil(sub, (s) => s.status === 'active',
	    'active again after the retry');
	const p = expectOk(await call(`/v1/payments/${ok.latest_payment}`,
	    { key: acct.testKey }));
	assert.equal(p.status, 'succeeded');
	assert.equal(p.payment_method, visa.id);
	assert.equal(p.description, `Subscription ${sub.id}, period 2`);
	assert.equal(day(ok.current_period_end), '2024-04-10',
	    'the period stays anchored');
	// and renews normally at the period's end, once
	await advance(clock, utc(2024, 4, 10));
	await subUntil(sub, (s) => s.current_period_start === utc(2024, 4, 10),
	    'the next renewal');
	await staysPut(sub, 'after the next renewal');
	const pays = await paymentsOf(sub);
	assert.deepEqual(pays.map((x) => [x.description.split(', ')[1],
	    x.status]), [['period 1', 'succeeded'], ['period 2', 'failed'],
	    ['period 2', 'succeeded'], ['period 3', 'succeeded']]);
});

test('cancel_at_period_end_cancels_at_the_period_end_without_a_charge', async () => {
	const pr = await price();
	const t = utc(2024, 1, 31);
	const { clock, sub } = await clockSubscription(t, pr);
	expectOk(await call(`/v1/subscriptions/${sub.id}`, { method: 'POST',
	    key: acct.testKey, json: { cancel_at_period_end: true } }));
	await advance(clock, utc(2024, 2, 29) - 1);
	const still = await staysPut(sub, 'before the period end');
	assert.equal(still.status, 'active');
	await advance(clock, utc(2024, 2, 29));
	const gone = await subUntil(sub, (s) => s.status !== 'active',
	    'canceled at the period end');
	assert.equal(gone.status, 'canceled');
	assert.equal(gone.canceled_at, utc(2024, 2, 29));
	assert.equal(gone.cancel_at_period_end, true);
	assert.equal(gone.latest_payment, sub.latest_payment);
	const deleted = await eventsAbout('subscription.deleted', sub.id);
	assert.equal(deleted.length, 1);
	assert.deepEqual(deleted[0].data.object, gone);
	await advance(clock, utc(2024, 8, 1));
	await staysPut(gone, 'long after');
	assert.equal((await paymentsOf(sub)).length, 1, 'only the first period');
});

test('cancel_at_period_end_undone_renews_normally', async () => {
	const pr = await price();
	const t = utc(2024, 3, 3);
	const { clock, sub } = await clockSubscription(t, pr);
	const path = `/v1/subscriptions/${sub.id}`;
	expectOk(await call(path, { method: 'POST', key: acct.testKey,
	    json: { cancel_at_period_end: true } }));
	expectOk(await call(path, { method: 'POST', key: acct.testKey,
	    json: { cancel_at_period_end: false } }));
	await advance(clock, utc(2024, 4, 3));
	const r = await subUntil(sub, (s) => s.current_period_start ===
	    utc(2024, 4, 3), 'the renewal');
	assert.equal(r.status, 'active');
	assert.equal((await paymentsOf(sub)).length, 2);
});

test('delete_cancels_now_and_nothing_is_charged_later', async () => {
	const pr = await price();
	const t = utc(2024, 5, 5);
	const { clock, sub } = await clockSubscription(t, pr);
	await advance(clock, t + 10 * DAY);
	const d = expectOk(await call(`/v1/subscriptions/${sub.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	assert.equal(d.status, 'canceled');
	assert.equal(d.canceled_at, t + 10 * DAY, 'canceled at the clock time');
	await advance(clock, utc(2024, 9, 5));
	await staysPut(d, 'after DELETE');
	assert.equal((await paymentsOf(sub)).length, 1);
});

test('an_incomplete_subscription_expires_23_hours_after_creation', async () => {
	const pr = await price();
	const t = utc(2024, 6, 1) + 8 * 3600;
	const { clock, sub } = await clockSubscription(t, pr, acct.testKey,
	    { payment_behavior: 'default_incomplete' });
	assert.equal(sub.status, 'incomplete');
	await advance(clock, t + 23 * 3600 - 1);
	await staysPut(sub, 'one second before 23 hours');
	await advance(clock, t + 23 * 3600);
	const x = await subUntil(sub, (s) => s.status !== 'incomplete',
	    'expiry after 23 hours');
	assert.equal(x.status, 'incomplete_expired');
	assert.ok((await eventsAbout('subscription.updated', sub.id)).some(
	    (e) => e.data.object.status === 'incomplete_expired'));
	await advance(clock, utc(2024, 9, 1));
	await staysPut(x, 'after expiry');
	const pays = await paymentsOf(sub);
	assert.equal(pays.length, 1, 'no period is charged');
	assert.notEqual(pays[0].status, 'succeeded');
	expectError(await call(`/v1/subscriptions/${sub.id}`, { method: 'DELETE',
	    key: acct.testKey }), 400, 'invalid_request_error',
	    'parameter_invalid');
});

test('a_declined_first_charge_also_expires_incomplete', async () => {
	const pr = await price();
	const t = utc(2024, 6, 10);
	const clock = await newClock(t);
	const customer = await newCustomer(acct.testKey, { test_clock: clock.id });
	await setDefault(customer, 'pm_card_chargeDeclined');
	const sub = await subscribed({ customer: customer.id, price: pr.id });
	assert.equal(sub.status, 'incomplete');
	await advance(clock, t + 2 * DAY);
	const x = await subUntil(sub, (s) => s.status !== 'incomplete',
	    'expiry');
	assert.equal(x.status, 'incomplete_expired');
	assert.equal((await paymentsOf(sub)).length, 1);
});

test('advancing_one_clock_bills_only_its_own_customers', async () => {
	const pr = await price();
	const t = utc(2024, 7, 7);
	const a = await clockSubscription(t, pr);
	const b = await clockSubscription(t, pr);
	await advance(a.clock, utc(2024, 8, 7));
	await subUntil(a.sub, (s) => s.current_period_start === utc(2024, 8, 7),
	    'the renewal on the advanced clock');
	await staysPut(b.sub, 'a subscription on another clock');
	assert.equal((await paymentsOf(b.sub)).length, 1);
});

// ======================================================== exactly once

test('two_pesaswap_jobs_with_500_subscriptions_due_at_once_make_500_renewals', async () => {
	const acc = await newAccount('api-billing-500');
	const keys = [acc.testKey];
	for (let i = 0; i < 4; i++)
		keys.push((await newKey(acc, 'test')).key);
	const pr = await price({ unit_amount: 999 }, acc.testKey);
	const t = utc(2024, 1, 15);
	const clock = await newClock(t, acc.testKey);
	const N = 500;
	const customers = await many(N, keys, (i, key) => createCustomer({
	    name: `Bulk ${i}`, email: uniqEmail(`b${i}-`), test_clock: clock.id },
	    key));
	const subs = await many(N, keys, (i, key) => call('/v1/subscriptions', {
	    method: 'POST', key, json: { customer: customers[i].id,
	    price: pr.id } }));
	assert.ok(subs.every((s) => s.status === 'active'));
	await startJobs();
	const second = await spawnJobs();
	try {
		const renewed = utc(2024, 2, 15);
		await advance(clock, renewed, acc.testKey);
		const renewals = () => listAll('/v1/payments?created[gte]=' +
		    renewed, acc.testKey);
		await until(renewals, (l) => l.length >= N,
		    `${N} renewals`, CATCH_UP_MS, 500);
		await sleep(QUIET_MS);
		const pays = await renewals();
		assert.equal(pays.length, N, 'exactly one renewal each');
		const per = new Map();
		for (const p of pays) {
			assert.equal(p.description,
			    `Subscription ${p.metadata.subscription}, period 2`);
			assert.equal(p.status, 'succeeded');
			per.set(p.metadata.subscription,
			    (per.get(p.metadata.subscription) ?? 0) + 1);
		}
		assert.equal(per.size, N, 'every subscription renewed');
		assert.ok([...per.values()].every((n) => n === 1));
		assert.deepEqual(new Set(per.keys()), new Set(subs.map((s) => s.id)));
		const all = await listAll('/v1/payments', acc.testKey);
		assert.equal(all.length, 2 * N, 'first payments and renewals');
		const listed = await listAll('/v1/subscriptions?status=active',
		    acc.testKey);
		assert.equal(listed.length, N);
		assert.ok(listed.every((s) => s.current_period_start === renewed &&
		    s.current_period_end === utc(2024, 3, 15)));
	} finally {
		await second.stop();
	}
});

test('pesaswap_jobs_killed_mid_catch_up_and_restarted_charges_each_period_once', async (ctx) => {
	const acc = await newAccount('api-billing-kill');
	const keys = [acc.testKey];
	for (let i = 0; i < 3; i++)
		keys.push((await newKey(acc, 'test')).key);
	const pr = await price({ unit_amount: 1234 }, acc.testKey);
	const t = utc(2024, 1, 10);
	const clock = await newClock(t, acc.testKey);
	const N = 200, PERIODS = 12;	// 2400 renewals to catch up
	const customers = await many(N, keys, (i, key) => createCustomer({
	    name: `Kill ${i}`, email: uniqEmail(`k${i}-`), test_clock: clock.id },
	    key));
	const subs = await many(N, keys, (i, key) => call('/v1/subscriptions', {
	    method: 'POST', key, json: { customer: customers[i].id,
	    price: pr.id } }));
	const end = utc(2025, 1, 10);
	const renewals = (max) => (async () => {
		// counts renewals, stopping early past MAX
		const out = [];
		let cursor = null;
		for (;;) {
			const l = expectOk(await call('/v1/payments?limit=100' +
			    `&created[gte]=${end}` + (cursor ?
			    `&starting_after=${cursor}` : ''), { key: acc.testKey }));
			out.push(...l.data);
			if (!l.has_more || out.length > max)
				return out.length;
			cursor = l.data[l.data.length - 1].id;
		}
	});
	// Only our own pesaswap-jobs runs during the catch-up.
	await stopJobs();
	assert.equal(await jobsPid(), null, 'the stack\'s pesaswap-jobs runs on');
	let killedAt;
	try {
		const job = await spawnJobs();
		try {
			await advance(clock, end, acc.testKey);
			await until(renewals(600), (n) => n >= 600,
			    'the catch-up starts', CATCH_UP_MS);
		} finally {
			await job.kill();
		}
		killedAt = await renewals(Infinity)();
		// with no pesaswap-jobs running, nothing moves
		await sleep(QUIET_MS);
		assert.equal(await renewals(Infinity)(), killedAt);
		assert.ok(killedAt < N * PERIODS, `the catch-up was over ` +
		    `(${killedAt} renewals) before the kill: not a mid-way kill`);
		ctx.diagnostic(`SIGKILL after ${killedAt} of ${N * PERIODS} renewals`);
	} finally {
		await startJobs();
	}
	await until(renewals(Infinity), (n) => n >= N * PERIODS,
	    `${N * PERIODS} renewals after the restart (${killedAt} at the kill)`,
	    CATCH_UP_MS, 1000);
	await sleep(QUIET_MS);
	const pays = await listAll('/v1/payments', acc.testKey);
	assert.equal(pays.length, N * (PERIODS + 1),
	    'one payment per period: none twice, none skipped');
	const per = new Map(subs.map((s) => [s.id, []]));
	for (const p of pays) {
		assert.equal(p.status, 'succeeded');
		per.get(p.metadata.subscription).push(p.description);
	}
	for (const [id, descs] of per)
		assert.deepEqual(descs.sort(), Array.from({ length: PERIODS + 1 },
		    (_, i) => `Subscription ${id}, period ${i + 1}`).sort(),
		    `the periods charged for ${id}`);
	const listed = await listAll('/v1/subscriptions', acc.testKey);
	assert.equal(listed.length, N);
	for (const s of listed) {
		assert.equal(s.status, 'active');
		assert.equal(s.current_period_start, end);
		assert.equal(s.current_period_end, utc(2025, 2, 10));
	}
});
