// Events (API.md "Events and webhooks"; issue 4 "What must work"): every
// change writes its event in the change's transaction, with data.object
// equal to what the API answered; GET /v1/events (newest first, type and
// created filters, cursors) and GET /v1/events/:id; accounts and modes
// never see each other's events; a change that is refused or rolled back
// leaves no event (counted before and after).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct;	// this file's account
let other;	// another account, for isolation
before(async () => {
	acct = await newAccount('api-events');
	other = await newAccount('api-events-other');
});

const EVENT_KEYS = ['id', 'object', 'type', 'data', 'created', 'livemode'];
const TYPES = ['customer.created', 'customer.updated', 'customer.deleted',
    'payment.succeeded', 'payment.failed', 'payment_method.attached',
    'payment_method.detached'];

const post = (path, json, key = acct.testKey, headers = {}) =>
    call(path, { method: 'POST', key, json, headers });
const newCustomer = async (key = acct.testKey, extra = {}) =>
    expectOk(await post('/v1/customers', { name: 'Evented',
    email: uniqEmail('ev'), ...extra }, key));
const listEvents = (qs = '', key = acct.testKey) =>
    call('/v1/events' + (qs ? '?' + qs : ''), { key });
const getEvent = (id, key = acct.testKey) => call(`/v1/events/${id}`, { key });

// Every event of the key's account and mode, newest first, page by page
// (QS adds filters).
async function allEvents(key = acct.testKey, qs = '') {
	const out = [];
	let cursor;
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 200, 'too many pages');
		const l = expectOk(await listEvents(`limit=100${qs ? '&' + qs : ''}` +
		    (cursor ? `&starting_after=${cursor}` : ''), key));
		out.push(...l.data);
		if (!l.has_more)
			return out;
		cursor = l.data[l.data.length - 1].id;
	}
}

// The events about object ID (data.object.id), newest first.
async function eventsAbout(id, key = acct.testKey) {
	return (await allEvents(key)).filter((e) => e.data.object.id === id);
}

// The one event of TYPE about object ID; checks its shape and that GET
// /v1/events/:id answers the same.
async function theEvent(type, id, key = acct.testKey) {
	const evs = (await eventsAbout(id, key)).filter((e) => e.type === type);
	assert.equal(evs.length, 1, `${evs.length} ${type} events about ${id}`);
	const ev = evs[0];
	assert.deepEqual(Object.keys(ev), EVENT_KEYS);
	assert.match(ev.id, /^evt_[0-9A-Za-z]{16}$/);
	assert.equal(ev.object, 'event');
	assert.deepEqual(Object.keys(ev.data), ['object']);
	assert.ok(Math.abs(ev.created - Date.now() / 1000) < 120,
	    `created ${ev.created}`);
	assert.deepEqual(expectOk(await getEvent(ev.id, key)), ev);
	return ev;
}

// Runs FN (which must change nothing) and checks that the account and
// mode of KEY have exactly the same events afterwards.
async function noNewEvent(fn, key = acct.testKey) {
	const before = await allEvents(key);
	const r = await fn();
	const after = await allEvents(key);
	assert.equal(after.length, before.length,
	    `new events: ${JSON.stringify(after.slice(0,
	    after.length - before.length).map((e) => e.type))}`);
	assert.deepEqual(after.map((e) => e.id), before.map((e) => e.id));
	return r;
}

// ------------------------------------------------------ one event per change

test('customer_create_writes_customer_created_with_the_answer', async () => {
	const c = await newCustomer(acct.testKey, { phone: '+254712345678',
	    metadata: { plan: 'pro' } });
	const ev = await theEvent('customer.created', c.id);
	assert.deepEqual(ev.data.object, c);
	assert.equal(ev.livemode, false);
	assert.ok(ev.created >= c.created && ev.created - c.created < 5);
});

test('customer_update_by_put_and_post_writes_customer_updated_with_each_answer', async () => {
	const c = await newCustomer();
	const u1 = expectOk(await call(`/v1/customers/${c.id}`, { method: 'PUT',
	    key: acct.testKey, json: { name: 'Renamed once' } }));
	const u2 = expectOk(await call(`/v1/customers/${c.id}`, { method: 'POST',
	    key: acct.testKey, form: { 'metadata[tier]': 'gold' } }));
	const evs = (await eventsAbout(c.id))
	    .filter((e) => e.type === 'customer.updated');
	assert.equal(evs.length, 2);
	assert.deepEqual(evs[1].data.object, u1, 'the older event: the PUT');
	assert.deepEqual(evs[0].data.object, u2, 'the newer event: the POST');
});

test('an_event_keeps_the_object_as_it_was_at_the_change', async () => {
	const c = await newCustomer();
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'PUT',
	    key: acct.testKey, json: { name: 'Later name' } }));
	const ev = await theEvent('customer.created', c.id);
	assert.equal(ev.data.object.name, 'Evented');
	assert.deepEqual(ev.data.object, c);
});

test('customer_delete_writes_customer_deleted_with_the_customer', async () => {
	const c = await newCustomer();
	const last = expectOk(await call(`/v1/customers/${c.id}`,
	    { key: acct.testKey }));
	const gone = expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	assert.deepEqual(gone, { id: c.id, object: 'customer', deleted: true });
	const ev = await theEvent('customer.deleted', c.id);
	// The customer as it was when deleted (Stripe's customer.deleted).
	const { updated: u1, ...rest } = ev.data.object;
	const { updated: u0, ...lastRest } = last;
	assert.deepEqual(rest, lastRest);
	assert.ok(u1 >= u0, `updated ${u1} < ${u0}`);
});

test('a_succeeded_payment_writes_payment_succeeded_with_the_payment', async () => {
	const c = await newCustomer();
	const p = expectOk(await post('/v1/payments', { amount: 2500,
	    currency: 'KES', customer: c.id, payment_method: 'pm_card_visa',
	    metadata: { order: '42' } }));
	assert.equal(p.status, 'succeeded');
	const ev = await theEvent('payment.succeeded', p.id);
	assert.deepEqual(ev.data.object, p);
});

test('a_declined_payment_writes_payment_failed_with_the_payment', async () => {
	const e = expectError(await post('/v1/payments', { amount: 999,
	    currency: 'usd', payment_method: 'pm_card_chargeDeclined' }), 402,
	    'card_error', 'card_declined');
	assert.equal(e.payment.status, 'failed');
	const ev = await theEvent('payment.failed', e.payment.id);
	assert.deepEqual(ev.data.object, e.payment);
	assert.deepEqual(await eventsAbout(e.payment.id), [ev],
	    'a failed payment writes no payment.succeeded');
});

test('attach_and_detach_write_payment_method_events_with_the_answers', async () => {
	const c = await newCustomer();
	const pm = expectOk(await post(`/v1/customers/${c.id}/payment_methods`,
	    { payment_method: 'tok_mpesa_254700111222' }));
	const d = expectOk(await call(`/v1/customers/${c.id}/payment_methods/` +
	    pm.id, { method: 'DELETE', key: acct.testKey }));
	assert.deepEqual((await theEvent('payment_method.attached', pm.id))
	    .data.object, pm);
	assert.deepEqual((await theEvent('payment_method.detached', pm.id))
	    .data.object, d);
});

test('a_sequence_of_changes_writes_exactly_one_event_each_in_order', async () => {
	const before = await allEvents();
	const c = await newCustomer();
	const u = expectOk(await post(`/v1/customers/${c.id}`, { name: 'Seq' }));
	const pm = expectOk(await post(`/v1/customers/${c.id}/payment_methods`,
	    { payment_method: 'pm_card_visa' }));
	const p = expectOk(await post('/v1/payments', { amount: 100,
	    currency: 'usd', customer: c.id, payment_method: pm.id }));
	const f = expectError(await post('/v1/payments', { amount: 100,
	    currency: 'usd', payment_method: 'pm_card_insufficientFunds' }), 402,
	    'card_error', 'insufficient_funds').payment;
	const d = expectOk(await call(`/v1/customers/${c.id}/payment_methods/` +
	    pm.id, { method: 'DELETE', key: acct.testKey }));
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: acct.testKey }));
	const after = await allEvents();
	const fresh = after.slice(0, after.length - before.length);
	assert.deepEqual(after.slice(fresh.length).map((e) => e.id),
	    before.map((e) => e.id), 'older events unchanged');
	assert.deepEqual(fresh.map((e) => e.type).reverse(), ['customer.created',
	    'customer.updated', 'payment_method.attached', 'payment.succeeded',
	    'payment.failed', 'payment_method.detached', 'customer.deleted']);
	assert.deepEqual(fresh.map((e) => e.data.object.id).reverse(),
	    [c.id, u.id, pm.id, p.id, f.id, d.id, c.id]);
});

test('concurrent_creates_each_write_exactly_one_event', async () => {
	const made = await Promise.all(Array.from({ length: 20 },
	    () => newCustomer()));
	const evs = (await allEvents(acct.testKey, 'type=customer.created'))
	    .filter((e) => made.some((c) => c.id === e.data.object.id));
	assert.equal(evs.length, made.length);
	for (const c of made)
		assert.deepEqual(evs.find((e) => e.data.object.id === c.id)
		    .data.object, c);
	const ids = new Set(evs.map((e) => e.id));
	assert.equal(ids.size, made.length, 'event ids are unique');
});

test('an_idempotent_replay_writes_no_second_event', async () => {
	const key = `evt-idem-${uniqEmail('k')}`;
	const body = { name: 'Once', email: uniqEmail('idem') };
	const first = expectOk(await post('/v1/customers', body, acct.testKey,
	    { 'Idempotency-Key': key }));
	const again = await noNewEvent(() => post('/v1/customers', body,
	    acct.testKey, { 'Idempotency-Key': key }));
	assert.deepEqual(expectOk(again), first);
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.equal((await eventsAbout(first.id)).length, 1);
});

// ------------------------------------------- refused and rolled-back changes

test('a_create_refused_for_a_duplicate_email_writes_no_event', async () => {
	const c = await newCustomer();
	await noNewEvent(async () => expectError(await post('/v1/customers',
	    { name: 'Twin', email: c.email }), 409, 'invalid_request_error',
	    'resource_already_exists', 'email'));
});

test('concurrent_creates_with_one_email_write_one_event', async () => {
	const email = uniqEmail('race');
	const before = await allEvents();
	const rs = await Promise.all(Array.from({ length: 8 }, () =>
	    post('/v1/customers', { name: 'Racer', email })));
	const ok = rs.filter((r) => r.status === 200);
	assert.equal(ok.length, 1, `statuses ${rs.map((r) => r.status)}`);
	for (const r of rs.filter((x) => x.status !== 200))
		expectError(r, 409, 'invalid_request_error',
		    'resource_already_exists', 'email');
	const after = await allEvents();
	assert.equal(after.length, before.length + 1);
	assert.deepEqual(after[0].data.object, ok[0].json);
});

test('an_update_refused_for_a_duplicate_email_writes_no_event', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	await noNewEvent(async () => expectError(await post(
	    `/v1/customers/${b.id}`, { name: 'Changed', email: a.email }), 409,
	    'invalid_request_error', 'resource_already_exists', 'email'));
	assert.deepEqual(expectOk(await call(`/v1/customers/${b.id}`,
	    { key: acct.testKey })), b, 'nothing of the update was kept');
});

test('an_update_refused_for_a_foreign_default_method_writes_no_event', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	const pm = expectOk(await post(`/v1/customers/${a.id}/payment_methods`,
	    { payment_method: 'pm_card_visa' }));
	await noNewEvent(async () => expectError(await post(
	    `/v1/customers/${b.id}`, { name: 'Changed',
	    invoice_settings: { default_payment_method: pm.id } }), 400,
	    'invalid_request_error', 'resource_missing',
	    'invoice_settings[default_payment_method]'));
	assert.deepEqual(expectOk(await call(`/v1/customers/${b.id}`,
	    { key: acct.testKey })), b);
});

test('a_payment_refused_for_a_deleted_customer_writes_no_event', async () => {
	const c = await newCustomer();
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: acct.testKey }));
	await noNewEvent(async () => expectError(await post('/v1/payments',
	    { amount: 500, currency: 'usd', customer: c.id }), 400,
	    'invalid_request_error', 'resource_missing', 'customer'));
});

test('deleting_a_deleted_customer_writes_no_second_event', async () => {
	const c = await newCustomer();
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: acct.testKey }));
	await noNewEvent(async () => expectError(await call(
	    `/v1/customers/${c.id}`, { method: 'DELETE', key: acct.testKey }),
	    404, 'invalid_request_error', 'resource_missing'));
	assert.equal((await eventsAbout(c.id))
	    .filter((e) => e.type === 'customer.deleted').length, 1);
});

test('invalid_requests_write_no_event', async () => {
	const c = await newCustomer();
	await noNewEvent(async () => {
		expectError(await post('/v1/customers', { name: 'No email' }),
		    400, 'invalid_request_error', 'parameter_missing', 'email');
		expectError(await post('/v1/payments', { amount: 0,
		    currency: 'usd' }), 400, 'invalid_request_error',
		    'amount_invalid', 'amount');
		expectError(await post(`/v1/customers/${c.id}/payment_methods`,
		    { payment_method: 'pm_card_bogus' }), 400,
		    'invalid_request_error', 'resource_missing', 'payment_method');
		expectError(await post(`/v1/customers/${c.id}`,
		    { metadata: { card: '4242 4242 4242 4242' } }), 400,
		    'invalid_request_error', 'sensitive_data_rejected');
	});
});

test('a_live_mode_payment_refused_for_no_processor_writes_no_event', async () => {
	await noNewEvent(async () => expectError(await post('/v1/payments',
	    { amount: 500, currency: 'usd' }, acct.liveKey), 400,
	    'invalid_request_error', 'processor_not_configured'), acct.liveKey);
});

// ----------------------------------------------------------------- reading

test('get_an_unknown_event_is_404', async () => {
	expectError(await getEvent('evt_0000000000000000'), 404,
	    'invalid_request_error', 'resource_missing', 'id');
});

test('the_list_is_newest_first_with_the_list_envelope', async () => {
	const a = await newCustomer();
	const b = await newCustomer();
	const l = expectOk(await listEvents('limit=2'));
	assert.deepEqual(Object.keys(l), ['object', 'data', 'has_more', 'url']);
	assert.equal(l.object, 'list');
	assert.equal(l.url, '/v1/events');
	assert.equal(l.has_more, true);
	assert.deepEqual(l.data.map((e) => e.data.object.id), [b.id, a.id]);
	assert.ok(l.data[0].created >= l.data[1].created);
});

test('the_default_page_is_ten_events', async () => {
	// This file made more than ten events by now (each test makes some).
	while ((await allEvents()).length <= 10)
		await newCustomer();
	const l = expectOk(await listEvents());
	assert.equal(l.data.length, 10);
	assert.equal(l.has_more, true);
});

// One change of each type, made once for the type filter tests.
let everyType;
function oneOfEachType() {
	everyType ??= (async () => {
		const c = await newCustomer();
		expectOk(await post(`/v1/customers/${c.id}`, { name: 'Typed' }));
		const pm = expectOk(await post(`/v1/customers/${c.id}/payment_methods`,
		    { payment_method: 'pm_card_visa' }));
		expectOk(await post('/v1/payments', { amount: 100, currency: 'usd',
		    customer: c.id, payment_method: pm.id }));
		expectError(await post('/v1/payments', { amount: 100,
		    currency: 'usd', payment_method: 'pm_card_chargeDeclined' }),
		    402, 'card_error', 'card_declined');
		expectOk(await call(`/v1/customers/${c.id}/payment_methods/${pm.id}`,
		    { method: 'DELETE', key: acct.testKey }));
		expectOk(await call(`/v1/customers/${c.id}`, { method: 'DELETE',
		    key: acct.testKey }));
	})();
	return everyType;
}

for (const type of TYPES) {
	test(`the_type_filter_${type}_lists_only_that_type`, async () => {
		await oneOfEachType();
		const evs = await allEvents(acct.testKey, `type=${type}`);
		assert.ok(evs.length > 0, `no ${type} event in this account`);
		assert.ok(evs.every((e) => e.type === type));
		const all = (await allEvents()).filter((e) => e.type === type);
		assert.deepEqual(evs.map((e) => e.id), all.map((e) => e.id));
	});
}

test('a_type_nobody_wrote_lists_nothing', async () => {
	const l = expectOk(await listEvents('type=subscription.created'));
	assert.deepEqual(l.data, []);
	assert.equal(l.has_more, false);
});

test('starting_after_walks_every_event_once_in_order', async () => {
	for (let i = 0; i < 7; i++)
		await newCustomer();
	const all = await allEvents();
	const seen = [];
	let cursor;
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 500);
		const l = expectOk(await listEvents('limit=3' +
		    (cursor ? `&starting_after=${cursor}` : '')));
		assert.ok(l.data.length <= 3);
		seen.push(...l.data);
		if (!l.has_more)
			break;
		assert.equal(l.data.length, 3);
		cursor = l.data[2].id;
	}
	assert.deepEqual(seen.map((e) => e.id), all.map((e) => e.id));
});

test('ending_before_walks_back_towards_the_newest', async () => {
	const all = await allEvents();
	assert.ok(all.length >= 8);
	// From the oldest, pages of three towards the newest.
	const seen = [];
	let cursor = all[all.length - 1].id;
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 500);
		const l = expectOk(await listEvents(`limit=3&ending_before=${cursor}`));
		// Each page is still newest first.
		for (let i = 1; i < l.data.length; i++)
			assert.ok(all.findIndex((e) => e.id === l.data[i - 1].id) <
			    all.findIndex((e) => e.id === l.data[i].id));
		seen.unshift(...l.data);
		if (!l.has_more)
			break;
		cursor = l.data[0].id;
	}
	assert.deepEqual(seen.map((e) => e.id),
	    all.slice(0, -1).map((e) => e.id));
});

test('the_type_filter_pages_with_cursors', async () => {
	for (let i = 0; i < 3; i++) {
		const c = await newCustomer();
		expectOk(await post(`/v1/customers/${c.id}`, { name: `Paged ${i}` }));
	}
	const want = await allEvents(acct.testKey, 'type=customer.updated');
	assert.ok(want.length >= 3);
	const seen = [];
	let cursor;
	for (let pages = 0; ; pages++) {
		assert.ok(pages < 500);
		const l = expectOk(await listEvents('type=customer.updated&limit=2' +
		    (cursor ? `&starting_after=${cursor}` : '')));
		seen.push(...l.data);
		if (!l.has_more)
			break;
		cursor = l.data[l.data.length - 1].id;
	}
	assert.deepEqual(seen.map((e) => e.id), want.map((e) => e.id));
});

test('the_created_filter_bounds_the_list', async () => {
	const c = await newCustomer();
	const ev = await theEvent('customer.created', c.id);
	const future = ev.created + 3600;
	assert.deepEqual(expectOk(await listEvents(`created[gt]=${future}`))
	    .data, []);
	const l = await allEvents(acct.testKey, `created[gte]=${ev.created}`);
	assert.ok(l.some((e) => e.id === ev.id));
	assert.ok(l.every((e) => e.created >= ev.created));
	const old = await allEvents(acct.testKey, `created[lt]=${ev.created}`);
	assert.ok(old.every((e) => e.created < ev.created));
	assert.ok(!old.some((e) => e.id === ev.id));
});

test('list_parameters_are_checked', async () => {
	expectError(await listEvents('limit=0'), 400, 'invalid_request_error',
	    'parameter_invalid', 'limit');
	expectError(await listEvents('limit=101'), 400, 'invalid_request_error',
	    'parameter_invalid', 'limit');
	expectError(await listEvents('bogus=1'), 400, 'invalid_request_error',
	    'parameter_unknown', 'bogus');
	expectError(await listEvents('starting_after=evt_0000000000000000'), 400,
	    'invalid_request_error', 'resource_missing', 'starting_after');
});

// --------------------------------------------------- accounts and modes

test('another_accounts_event_is_404_and_never_listed', async () => {
	const c = await newCustomer(other.testKey);
	const ev = await theEvent('customer.created', c.id, other.testKey);
	expectError(await getEvent(ev.id), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	assert.ok(!(await allEvents()).some((e) => e.id === ev.id));
	// Nor usable as a cursor.
	expectError(await listEvents(`starting_after=${ev.id}`), 400,
	    'invalid_request_error', 'resource_missing', 'starting_after');
});

test('live_mode_events_are_seen_only_by_live_keys', async () => {
	const c = await newCustomer(acct.liveKey);
	assert.equal(c.livemode, true);
	const ev = await theEvent('customer.created', c.id, acct.liveKey);
	assert.equal(ev.livemode, true);
	assert.deepEqual(ev.data.object, c);
	expectError(await getEvent(ev.id, acct.testKey), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.ok(!(await allEvents()).some((e) => e.id === ev.id));
	assert.ok((await allEvents(acct.liveKey)).every((e) => e.livemode));
	assert.ok((await allEvents()).every((e) => !e.livemode));
});

// ------------------------------------------------------------ permissions

test('an_events_read_key_lists_and_retrieves_events', async () => {
	const c = await newCustomer();
	const k = await newKey(acct.id, 'test', 'events:read');
	const ev = (await allEvents(k.key)).find((e) => e.data.object.id === c.id);
	assert.ok(ev);
	assert.deepEqual(expectOk(await getEvent(ev.id, k.key)), ev);
});

test('keys_without_events_read_cannot_read_events', async () => {
	const c = await newCustomer();
	const ev = await theEvent('customer.created', c.id);
	const k = await newKey(acct.id, 'test',
	    'customers:read,customers:write,payments:read,webhooks:read');
	expectError(await listEvents('', k.key), 403, 'permission_error',
	    'permission_denied', null);
	expectError(await getEvent(ev.id, k.key), 403, 'permission_error',
	    'permission_denied', null);
});
