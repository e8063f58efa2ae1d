// Undeclared parameters (issue 13, "Parameters live in the route rows"):
// every method of every family answers 400 parameter_unknown naming the
// parameter, as Stripe does, whether it comes in the query string (GET,
// DELETE) or the body (POST, PUT), and changes nothing. Before, customer
// retrieve and list, payment retrieve, payment-method detach, webhook
// retrieve and clock retrieve answered 200 and ignored it. `expand[]`,
// which Stripe's clients send, stays allowed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct;	// this file's account
before(async () => {
	acct = await newAccount('api-params-unknown');
});

const get = async (path) => expectOk(await call(path, { key: acct.testKey }));
const post = async (path, json) =>
    expectOk(await call(path, { method: 'POST', key: acct.testKey, json }));

// What the account holds that a write would change: the objects at
// "paths" and every event (each write makes one).
async function snapshot(paths) {
	const out = { events: (await get('/v1/events?limit=100')).data };
	for (const p of paths)
		out[p] = await get(p);
	return out;
}

// Sends each [method, path] with an unknown parameter "bogus" (in the
// query for GET and DELETE, else in the body), expects 400
// parameter_unknown naming it, and that "paths" and the events are as
// before.
async function refusesUnknown(requests, paths) {
	const before = await snapshot(paths);
	for (const [method, path] of requests) {
		const inQuery = method === 'GET' || method === 'DELETE';
		const res = await call(inQuery ? `${path}${path.includes('?') ?
		    '&' : '?'}bogus=1` : path, { method, key: acct.testKey,
		    ...(inQuery ? {} : { json: { bogus: '1' } }) });
		expectError(res, 400, 'invalid_request_error',
		    'parameter_unknown', 'bogus');
	}
	assert.deepEqual(await snapshot(paths), before, 'the account changed');
}

async function customer() {
	return post('/v1/customers', { name: 'Params', email: uniqEmail('pu') });
}

test('customers_refuse_unknown_parameters_on_every_method', async () => {
	const c = await customer();
	await refusesUnknown([
		['GET', '/v1/customers'],
		['POST', '/v1/customers'],
		['GET', '/v1/customers/search?query=name:%27x%27'],
		['GET', `/v1/customers/${c.id}`],
		['POST', `/v1/customers/${c.id}`],
		['PUT', `/v1/customers/${c.id}`],
		['DELETE', `/v1/customers/${c.id}`],
		['GET', `/v1/customers/${c.id}/analytics`],
		['GET', `/v1/customers/${c.id}/analytics/volume`],
	], [`/v1/customers/${c.id}`, '/v1/customers?limit=100']);
});

test('payments_refuse_unknown_parameters_on_every_method', async () => {
	const c = await customer();
	const p = await post('/v1/payments', { amount: 500, currency: 'usd',
	    customer: c.id, payment_method: 'pm_card_visa' });
	await refusesUnknown([
		['GET', '/v1/payments'],
		['POST', '/v1/payments'],
		['GET', `/v1/payments/${p.id}`],
	], [`/v1/payments/${p.id}`, '/v1/payments?limit=100',
	    `/v1/customers/${c.id}/analytics`]);
});

test('payment_methods_refuse_unknown_parameters_on_every_method', async () => {
	const c = await customer();
	const path = `/v1/customers/${c.id}/payment_methods`;
	const pm = await post(path, { payment_method: 'pm_card_visa' });
	await refusesUnknown([
		['GET', path],
		['POST', path],
		['DELETE', `${path}/${pm.id}`],
	], [path, `/v1/customers/${c.id}`]);
});

test('prices_refuse_unknown_parameters_on_every_method', async () => {
	const p = await post('/v1/prices', { unit_amount: 900, currency: 'usd',
	    recurring: { interval: 'month' } });
	await refusesUnknown([
		['GET', '/v1/prices'],
		['POST', '/v1/prices'],
		['GET', `/v1/prices/${p.id}`],
		['POST', `/v1/prices/${p.id}`],
	], [`/v1/prices/${p.id}`, '/v1/prices?limit=100']);
});

test('subscriptions_refuse_unknown_parameters_on_every_method', async () => {
	const c = await customer();
	await post(`/v1/customers/${c.id}/payment_methods`,
	    { payment_method: 'pm_card_visa' });
	const pm = (await get(`/v1/customers/${c.id}/payment_methods`)).data[0];
	await post(`/v1/customers/${c.id}`,
	    { invoice_settings: { default_payment_method: pm.id } });
	const p = await post('/v1/prices', { unit_amount: 900, currency: 'usd',
	    recurring: { interval: 'month' } });
	const s = await post('/v1/subscriptions', { customer: c.id,
	    price: p.id });
	await refusesUnknown([
		['GET', '/v1/subscriptions'],
		['POST', '/v1/subscriptions'],
		['GET', `/v1/subscriptions/${s.id}`],
		['POST', `/v1/subscriptions/${s.id}`],
		['DELETE', `/v1/subscriptions/${s.id}`],
	], [`/v1/subscriptions/${s.id}`, '/v1/subscriptions?limit=100']);
});

test('schedules_refuse_unknown_parameters_on_every_method', async () => {
	const c = await customer();
	const s = await post('/v1/payment_schedules', { customer: c.id,
	    amount: 700, currency: 'usd',
	    run_at: Math.floor(Date.now() / 1000) + 86400 });
	await refusesUnknown([
		['GET', '/v1/payment_schedules'],
		['POST', '/v1/payment_schedules'],
		['GET', `/v1/payment_schedules/${s.id}`],
		['DELETE', `/v1/payment_schedules/${s.id}`],
	], [`/v1/payment_schedules/${s.id}`,
	    '/v1/payment_schedules?limit=100']);
});

test('webhook_endpoints_refuse_unknown_parameters_on_every_method',
    async () => {
	const e = await post('/v1/webhook_endpoints',
	    { url: 'https://example.com/hook' });
	await refusesUnknown([
		['GET', '/v1/webhook_endpoints'],
		['POST', '/v1/webhook_endpoints'],
		['GET', `/v1/webhook_endpoints/${e.id}`],
		['POST', `/v1/webhook_endpoints/${e.id}`],
		['DELETE', `/v1/webhook_endpoints/${e.id}`],
		['GET', `/v1/webhook_endpoints/${e.id}/deliveries`],
	], [`/v1/webhook_endpoints/${e.id}`,
	    '/v1/webhook_endpoints?limit=100']);
});

test('test_clocks_refuse_unknown_parameters_on_every_method', async () => {
	const k = await post('/v1/test_helpers/test_clocks',
	    { frozen_time: 1700000000 });
	const path = `/v1/test_helpers/test_clocks/${k.id}`;
	await refusesUnknown([
		['GET', '/v1/test_helpers/test_clocks'],
		['POST', '/v1/test_helpers/test_clocks'],
		['GET', path],
		['POST', `${path}/advance`],
		['DELETE', path],
	], [path, '/v1/test_helpers/test_clocks?limit=100']);
});

test('events_refuse_unknown_parameters_on_every_method', async () => {
	await customer();
	const ev = (await get('/v1/events?limit=1')).data[0];
	await refusesUnknown([
		['GET', '/v1/events'],
		['GET', `/v1/events/${ev.id}`],
	], []);
});

test('expand_stays_allowed_where_nothing_else_is', async () => {
	const c = await customer();
	const res = await call(`/v1/customers/${c.id}?expand[]=test_clock`,
	    { key: acct.testKey });
	assert.equal(expectOk(res).id, c.id);
	const del = await call(`/v1/customers/${c.id}`, { method: 'DELETE',
	    key: acct.testKey,
	    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
	assert.equal(expectOk(del).deleted, true);
});

test('refunds_refuse_unknown_parameters_on_every_method', async () => {
	const p = await post('/v1/payments', { amount: 500, currency: 'usd' });
	const r = await post('/v1/refunds', { payment: p.id, amount: 100 });
	await refusesUnknown([
		['GET', '/v1/refunds'],
		['POST', '/v1/refunds'],
		['GET', `/v1/refunds/${r.id}`],
	], [`/v1/refunds/${r.id}`, `/v1/payments/${p.id}`,
	    '/v1/refunds?limit=100']);
});
