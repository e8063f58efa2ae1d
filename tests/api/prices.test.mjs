// Prices (API.md "Prices, subscriptions, payment schedules"; issue 5 "What
// must work": create with unit_amount, currency, recurring[interval],
// recurring[interval_count], nickname, retrieve, list, `active` on update,
// and a price in use keeps its amount): every field and its validation,
// lookup_key (unique per account and mode, and what a subscription's
// `price` may name), JSON and form bodies, cursors, isolation between
// accounts and modes, idempotency and permissions. Every refused request
// is followed by a read-back proving nothing was written.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail } from '../lib/openapi.mjs';

let acct;	// this file's account
let other;	// another account, for isolation
before(async () => {
	acct = await newAccount('api-prices');
	other = await newAccount('api-prices-other');
});

// The brief's key order of the price object.
const PRICE_KEYS = ['id', 'object', 'unit_amount', 'currency', 'recurring',
    'type', 'nickname', 'lookup_key', 'active', 'metadata', 'created',
    'livemode'];

const MONTHLY = { unit_amount: 2900, currency: 'usd',
    recurring: { interval: 'month' } };

const create = (json, key = acct.testKey, headers = {}) =>
    call('/v1/prices', { method: 'POST', key, json, headers });
const createForm = (form, key = acct.testKey) =>
    call('/v1/prices', { method: 'POST', key, form });
const getPrice = (id, key = acct.testKey) => call(`/v1/prices/${id}`, { key });
const update = (id, json, key = acct.testKey) =>
    call(`/v1/prices/${id}`, { method: 'POST', key, json });
const list = (qs = '', key = acct.testKey) =>
    call(`/v1/prices${qs ? '?' + qs : ''}`, { key });

async function price(extra = {}, key = acct.testKey) {
	return expectOk(await create({ ...MONTHLY, ...extra }, key));
}

// Every price of KEY's account and mode, newest first.
async function listAll(key = acct.testKey) {
	const out = [];
	let cursor = null;
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 100, 'too many pages');
		const l = expectOk(await list('limit=100' +
		    (cursor ? `&starting_after=${cursor}` : ''), key));
		out.push(...l.data);
		if (!l.has_more)
			return out;
		cursor = l.data[l.data.length - 1].id;
	}
}

// Runs FN (a refused request) and checks the price list did not grow.
async function refusedWritesNothing(fn, key = acct.testKey) {
	const before = (await listAll(key)).length;
	const e = await fn();
	assert.equal((await listAll(key)).length, before,
	    'a refused create stored a price');
	return e;
}

async function newCustomer(key = acct.testKey) {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: { name: 'Subscriber', email: uniqEmail('pr') } }));
}

// ---------------------------------------------------------------- create

test('create_answers_every_field_in_the_documented_order', async () => {
	const key = uniq('lk_');
	const p = expectOk(await create({ unit_amount: 2900, currency: 'USD',
	    recurring: { interval: 'month' }, nickname: 'Pro monthly',
	    lookup_key: key, metadata: { tier: 'pro' } }));
	const now = Math.floor(Date.now() / 1000);
	assert.deepEqual(Object.keys(p), PRICE_KEYS);
	assert.match(p.id, /^price_[0-9A-Za-z]{16}$/);
	assert.equal(p.object, 'price');
	assert.equal(p.unit_amount, 2900);
	assert.equal(p.currency, 'usd', 'the currency comes back lowercase');
	assert.deepEqual(p.recurring, { interval: 'month', interval_count: 1 });
	assert.equal(p.type, 'recurring');
	assert.equal(p.nickname, 'Pro monthly');
	assert.equal(p.lookup_key, key);
	assert.equal(p.active, true);
	assert.deepEqual(p.metadata, { tier: 'pro' });
	assert.ok(Math.abs(p.created - now) < 120, `created ${p.created}`);
	assert.equal(p.livemode, false);
});

test('create_defaults_nickname_and_lookup_key_to_null_and_metadata_empty', async () => {
	const p = await price();
	assert.equal(p.nickname, null);
	assert.equal(p.lookup_key, null);
	assert.deepEqual(p.metadata, {});
	assert.equal(p.recurring.interval_count, 1);
});

test('create_form_encoded_as_stripe_clients_send_it', async () => {
	const p = expectOk(await createForm('unit_amount=12000&currency=KES' +
	    '&recurring[interval]=year&recurring[interval_count]=2' +
	    '&nickname=Two+years&metadata[plan]=biennial'));
	assert.equal(p.unit_amount, 12000);
	assert.equal(p.currency, 'kes');
	assert.deepEqual(p.recurring, { interval: 'year', interval_count: 2 });
	assert.equal(p.nickname, 'Two years');
	assert.deepEqual(p.metadata, { plan: 'biennial' });
});

test('create_form_with_percent_encoded_brackets', async () => {
	const p = expectOk(await createForm('unit_amount=500&currency=eur' +
	    '&recurring%5Binterval%5D=week'));
	assert.deepEqual(p.recurring, { interval: 'week', interval_count: 1 });
});

for (const interval of ['day', 'week', 'month', 'year']) {
	test(`interval_${interval}_is_accepted`, async () => {
		const p = await price({ recurring: { interval,
		    interval_count: 3 } });
		assert.deepEqual(p.recurring, { interval, interval_count: 3 });
	});
}

test('interval_count_1_and_365_are_accepted', async () => {
	for (const n of [1, 365])
		assert.equal((await price({ recurring: { interval: 'day',
		    interval_count: n } })).recurring.interval_count, n);
});

test('unit_amount_0_and_99999999999_are_accepted', async () => {
	assert.equal((await price({ unit_amount: 0 })).unit_amount, 0);
	assert.equal((await price({ unit_amount: 99999999999 })).unit_amount,
	    99999999999);
});

test('unit_amount_missing_is_parameter_missing', async () => {
	await refusedWritesNothing(async () => expectError(await create({
	    currency: 'usd', recurring: { interval: 'month' } }), 400,
	    'invalid_request_error', 'parameter_missing', 'unit_amount'));
});

for (const amount of [-1, 1.5, 'abc', 100000000000, true]) {
	test(`unit_amount_${JSON.stringify(amount)}_is_refused_with_amount_invalid`, async () => {
		await refusedWritesNothing(async () => expectError(
		    await create({ ...MONTHLY, unit_amount: amount }), 400,
		    'invalid_request_error', 'amount_invalid', 'unit_amount'));
	});
}

test('currency_missing_is_parameter_missing', async () => {
	await refusedWritesNothing(async () => expectError(await create({
	    unit_amount: 100, recurring: { interval: 'month' } }), 400,
	    'invalid_request_error', 'parameter_missing', 'currency'));
});

for (const currency of ['xyz', 'us', 'dollar']) {
	test(`currency_${currency}_is_refused_with_currency_invalid`, async () => {
		await refusedWritesNothing(async () => expectError(
		    await create({ ...MONTHLY, currency }), 400,
		    'invalid_request_error', 'currency_invalid', 'currency'));
	});
}

test('recurring_missing_is_parameter_missing_recurring_interval', async () => {
	await refusedWritesNothing(async () => expectError(await create({
	    unit_amount: 100, currency: 'usd' }), 400, 'invalid_request_error',
	    'parameter_missing', 'recurring[interval]'));
});

test('recurring_without_interval_is_parameter_missing', async () => {
	await refusedWritesNothing(async () => expectError(await create({
	    unit_amount: 100, currency: 'usd', recurring: { interval_count: 2 } }),
	    400, 'invalid_request_error', 'parameter_missing',
	    'recurring[interval]'));
});

for (const interval of ['fortnight', 'months', 'MONTH', '']) {
	test(`interval_${JSON.stringify(interval)}_is_refused`, async () => {
		await refusedWritesNothing(async () => expectError(
		    await create({ ...MONTHLY, recurring: { interval } }), 400,
		    'invalid_request_error', ['parameter_invalid',
		    'parameter_missing'], 'recurring[interval]'));
	});
}

for (const n of [0, 366, -1, 1.5, 'x']) {
	test(`interval_count_${JSON.stringify(n)}_is_refused`, async () => {
		await refusedWritesNothing(async () => expectError(
		    await create({ ...MONTHLY, recurring: { interval: 'month',
		    interval_count: n } }), 400, 'invalid_request_error',
		    'parameter_invalid', 'recurring[interval_count]'));
	});
}

test('recurring_that_is_not_an_object_is_refused', async () => {
	await refusedWritesNothing(async () => expectError(await create({
	    ...MONTHLY, recurring: 'month' }), 400, 'invalid_request_error',
	    'parameter_invalid'));
});

test('unknown_parameter_is_refused', async () => {
	await refusedWritesNothing(async () => expectError(await create({
	    ...MONTHLY, product: 'prod_x' }), 400, 'invalid_request_error',
	    'parameter_unknown', 'product'));
});

test('unknown_recurring_parameter_is_refused', async () => {
	await refusedWritesNothing(async () => expectError(await create({
	    ...MONTHLY, recurring: { interval: 'month', usage_type: 'metered' } }),
	    400, 'invalid_request_error', 'parameter_unknown'));
});

test('nickname_of_256_characters_is_accepted_257_refused', async () => {
	assert.equal((await price({ nickname: 'n'.repeat(256) })).nickname,
	    'n'.repeat(256));
	await refusedWritesNothing(async () => expectError(await create({
	    ...MONTHLY, nickname: 'n'.repeat(257) }), 400,
	    'invalid_request_error', 'parameter_invalid', 'nickname'));
});

test('metadata_limits_apply_to_prices', async () => {
	const many = Object.fromEntries(Array.from({ length: 51 },
	    (_, i) => [`k${i}`, 'v']));
	await refusedWritesNothing(async () => expectError(await create({
	    ...MONTHLY, metadata: many }), 400, 'invalid_request_error',
	    'metadata_invalid'));
});

test('a_raw_card_number_in_price_metadata_is_refused', async () => {
	await refusedWritesNothing(async () => expectError(await create({
	    ...MONTHLY, metadata: { note: '4242 4242 4242 4242' } }), 400,
	    'invalid_request_error', 'sensitive_data_rejected'));
});

// ------------------------------------------------------------- lookup_key

test('a_second_price_with_the_same_lookup_key_is_refused', async () => {
	const key = uniq('dup_');
	await price({ lookup_key: key });
	await refusedWritesNothing(async () => expectError(await create({
	    ...MONTHLY, lookup_key: key }), 400, 'invalid_request_error',
	    'parameter_invalid', 'lookup_key'));
});

test('the_same_lookup_key_is_free_in_another_account_and_in_live_mode', async () => {
	const key = uniq('shared_');
	const a = await price({ lookup_key: key });
	const b = await price({ lookup_key: key }, other.testKey);
	const c = await price({ lookup_key: key }, acct.liveKey);
	assert.equal(b.lookup_key, key);
	assert.equal(c.lookup_key, key);
	assert.equal(c.livemode, true);
	assert.notEqual(a.id, b.id);
	assert.notEqual(a.id, c.id);
});

test('a_subscription_may_name_the_price_by_its_lookup_key', async () => {
	const p = await price({ lookup_key: uniq('by_key_') });
	const c = await newCustomer();
	const s = expectOk(await call('/v1/subscriptions', { method: 'POST',
	    key: acct.testKey, json: { customer: c.id, price: p.lookup_key } }));
	assert.equal(s.price, p.id, 'the subscription holds the price id');
});

// -------------------------------------------------------------- retrieve

test('retrieve_answers_the_created_price', async () => {
	const p = await price({ nickname: 'Again', metadata: { a: '1' } });
	assert.deepEqual(expectOk(await getPrice(p.id)), p);
});

test('retrieve_unknown_price_answers_404_with_param_id', async () => {
	expectError(await getPrice('price_ZZZZZZZZZZZZZZZZ'), 404,
	    'invalid_request_error', 'resource_missing', 'id');
});

test('retrieve_another_accounts_price_answers_404', async () => {
	const p = await price({}, other.testKey);
	expectError(await getPrice(p.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
});

test('a_live_key_does_not_see_test_prices_nor_the_reverse', async () => {
	const t = await price();
	const l = await price({}, acct.liveKey);
	expectError(await getPrice(t.id, acct.liveKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	expectError(await getPrice(l.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	assert.ok(!(await listAll(acct.liveKey)).some((x) => x.id === t.id));
	assert.ok(!(await listAll()).some((x) => x.id === l.id));
});

test('wrong_methods_answer_405_with_allow', async () => {
	const p = await price();
	for (const [path, method] of [['/v1/prices', 'DELETE'],
	    ['/v1/prices', 'PUT'], [`/v1/prices/${p.id}`, 'DELETE']]) {
		const r = await call(path, { method, key: acct.testKey });
		expectError(r, 405, 'invalid_request_error', 'method_not_allowed');
		assert.ok(r.headers.get('allow'), `${method} ${path}: no Allow`);
	}
});

// ------------------------------------------------------------------ list

test('list_is_newest_first_with_url_and_has_more', async () => {
	const acc = await newAccount('api-prices-list');
	const made = [];
	for (let i = 0; i < 5; i++)
		made.push(await price({ nickname: `p${i}` }, acc.testKey));
	const l = expectOk(await list('limit=3', acc.testKey));
	assert.equal(l.object, 'list');
	assert.equal(l.url, '/v1/prices');
	assert.equal(l.has_more, true);
	assert.deepEqual(l.data.map((p) => p.id),
	    made.slice(2).reverse().map((p) => p.id));
	const all = expectOk(await list('', acc.testKey));
	assert.equal(all.has_more, false);
	assert.deepEqual(all.data, [...made].reverse());
});

test('cursors_walk_forward_and_backward_without_gaps', async () => {
	const acc = await newAccount('api-prices-cursor');
	const made = [];
	for (let i = 0; i < 7; i++)
		made.push((await price({}, acc.testKey)).id);
	const newestFirst = [...made].reverse();
	const seen = [];
	let cursor = null;
	for (let pages = 0; pages < 10; pages++) {
		const l = expectOk(await list('limit=2' +
		    (cursor ? `&starting_after=${cursor}` : ''), acc.testKey));
		seen.push(...l.data.map((p) => p.id));
		if (!l.has_more)
			break;
		cursor = l.data[l.data.length - 1].id;
	}
	assert.deepEqual(seen, newestFirst);
	const back = expectOk(await list(`limit=2&ending_before=${made[2]}`,
	    acc.testKey));
	assert.deepEqual(back.data.map((p) => p.id), [made[4], made[3]]);
	assert.equal(back.has_more, true);
});

test('unknown_or_foreign_cursors_are_refused', async () => {
	const foreign = await price({}, other.testKey);
	for (const param of ['starting_after', 'ending_before'])
		for (const id of ['price_ZZZZZZZZZZZZZZZZ', foreign.id])
			expectError(await list(`${param}=${id}`), 400,
			    'invalid_request_error', 'resource_missing', param);
});

test('bad_list_parameters_are_refused', async () => {
	for (const qs of ['limit=0', 'limit=101', 'limit=abc'])
		expectError(await list(qs), 400, 'invalid_request_error',
		    'parameter_invalid', 'limit');
	expectError(await list('currency=usd'), 400, 'invalid_request_error',
	    'parameter_unknown', 'currency');
});

test('list_never_shows_another_accounts_prices', async () => {
	const mine = await price();
	const theirs = await price({}, other.testKey);
	const ids = (await listAll()).map((p) => p.id);
	assert.ok(ids.includes(mine.id));
	assert.ok(!ids.includes(theirs.id));
});

// ---------------------------------------------------------------- update

test('update_active_false_then_true', async () => {
	const p = await price();
	const off = expectOk(await update(p.id, { active: false }));
	assert.deepEqual(off, { ...p, active: false });
	assert.equal(expectOk(await getPrice(p.id)).active, false);
	const on = expectOk(await update(p.id, { active: true }));
	assert.equal(on.active, true);
});

test('update_active_as_the_strings_stripe_clients_send', async () => {
	const p = await price();
	const off = expectOk(await call(`/v1/prices/${p.id}`, { method: 'POST',
	    key: acct.testKey, form: 'active=false' }));
	assert.equal(off.active, false);
	const on = expectOk(await update(p.id, { active: 'true' }));
	assert.equal(on.active, true);
});

test('update_active_with_a_non_boolean_is_refused', async () => {
	const p = await price();
	expectError(await update(p.id, { active: 'maybe' }), 400,
	    'invalid_request_error', 'parameter_invalid', 'active');
	assert.equal(expectOk(await getPrice(p.id)).active, true);
});

test('update_nickname_and_metadata_leaves_the_rest_unchanged', async () => {
	const p = await price({ nickname: 'Old', metadata: { a: '1', b: '2' } });
	const u = expectOk(await update(p.id, { nickname: 'New',
	    metadata: { b: '', c: '3' } }));
	assert.deepEqual(u, { ...p, nickname: 'New', metadata: { a: '1', c: '3' } });
	assert.deepEqual(expectOk(await getPrice(p.id)), u);
});

test('an_empty_update_answers_the_price_unchanged', async () => {
	const p = await price({ nickname: 'Same' });
	assert.deepEqual(expectOk(await update(p.id, {})), p);
});

test('update_unit_amount_of_an_unused_price', async () => {
	const p = await price({ unit_amount: 1000 });
	const u = expectOk(await update(p.id, { unit_amount: 1500 }));
	assert.equal(u.unit_amount, 1500);
});

// One amount reader (issue 13): an update answers a bad amount as a
// create does, amount_invalid, and changes nothing.
for (const amount of [-1, 100000000000, 'ten'])
	test(`update_unit_amount_${JSON.stringify(amount)}_is_refused_with_amount_invalid`, async () => {
		const p = await price({ unit_amount: 1000 });
		expectError(await update(p.id, { unit_amount: amount }), 400,
		    'invalid_request_error', 'amount_invalid', 'unit_amount');
		assert.equal(expectOk(await getPrice(p.id)).unit_amount, 1000);
	});

test('update_unit_amount_of_a_price_in_use_is_refused', async () => {
	const p = await price({ unit_amount: 1000 });
	const c = await newCustomer();
	expectOk(await call('/v1/subscriptions', { method: 'POST',
	    key: acct.testKey, json: { customer: c.id, price: p.id } }));
	expectError(await update(p.id, { unit_amount: 2000 }), 400,
	    'invalid_request_error', 'parameter_invalid', 'unit_amount');
	assert.equal(expectOk(await getPrice(p.id)).unit_amount, 1000);
	// the rest may still change
	assert.equal(expectOk(await update(p.id, { nickname: 'Legacy' }))
	    .nickname, 'Legacy');
});

test('update_of_fields_that_cannot_change_is_refused', async () => {
	const p = await price();
	for (const [json, param] of [[{ currency: 'eur' }, 'currency'],
	    [{ recurring: { interval: 'year' } }, 'recurring'],
	    [{ lookup_key: 'x' }, 'lookup_key']]) {
		expectError(await update(p.id, json), 400,
		    'invalid_request_error', 'parameter_unknown', param);
	}
	assert.deepEqual(expectOk(await getPrice(p.id)), p);
});

test('update_unknown_or_foreign_price_answers_404', async () => {
	const theirs = await price({}, other.testKey);
	for (const id of ['price_ZZZZZZZZZZZZZZZZ', theirs.id])
		expectError(await update(id, { active: false }), 404,
		    'invalid_request_error', 'resource_missing', 'id');
	assert.equal(expectOk(await getPrice(theirs.id, other.testKey)).active,
	    true);
});

// ------------------------------------------- idempotency and permissions

test('a_retried_create_with_the_same_idempotency_key_makes_one_price', async () => {
	const idem = { 'Idempotency-Key': uniq('idem-price-') };
	const before = (await listAll()).length;
	const a = await create(MONTHLY, acct.testKey, idem);
	const b = await create(MONTHLY, acct.testKey, idem);
	assert.deepEqual(expectOk(b), expectOk(a));
	assert.equal(b.headers.get('idempotent-replayed'), 'true');
	assert.equal((await listAll()).length, before + 1);
});

test('subscriptions_read_key_lists_and_retrieves_but_cannot_create', async () => {
	const p = await price();
	const { key } = await newKey(acct, 'test', 'subscriptions:read');
	assert.deepEqual(expectOk(await getPrice(p.id, key)), p);
	expectOk(await list('', key));
	expectError(await create(MONTHLY, key), 403, 'permission_error',
	    'permission_denied');
	expectError(await update(p.id, { active: false }, key), 403,
	    'permission_error', 'permission_denied');
});

test('subscriptions_write_key_creates_prices', async () => {
	const { key } = await newKey(acct, 'test', 'subscriptions:write');
	const p = await price({}, key);
	assert.deepEqual(expectOk(await getPrice(p.id, key)), p);
});

test('customers_and_payments_keys_cannot_touch_prices', async () => {
	const { key } = await newKey(acct, 'test',
	    ['customers:write', 'payments:write']);
	expectError(await list('', key), 403, 'permission_error',
	    'permission_denied');
	expectError(await create(MONTHLY, key), 403, 'permission_error',
	    'permission_denied');
});

test('prices_without_a_key_answer_401', async () => {
	expectError(await call('/v1/prices'), 401, 'authentication_error',
	    'api_key_missing');
	expectError(await call('/v1/prices', { method: 'POST', json: MONTHLY }),
	    401, 'authentication_error', 'api_key_missing');
});
