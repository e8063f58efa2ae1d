// A customer's tax ids (issue 15, Stripe's /v1/customers/:id/tax_ids):
// create, list, retrieve, delete, tax_id_data at creation, a value
// checked against its type, and isolation by customer, account and mode.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct, other;
before(async () => {
	acct = await newAccount('api-tax-ids');
	other = await newAccount('api-tax-ids-other');
});

const customer = async (key = acct.testKey, extra = {}) =>
    expectOk(await call('/v1/customers', { method: 'POST', key,
    json: { name: 'Tax', email: uniqEmail('tax'), ...extra } }));
const add = (id, json, key = acct.testKey) =>
    call(`/v1/customers/${id}/tax_ids`, { method: 'POST', key, json });
const list = async (id, key = acct.testKey) => expectOk(await call(
    `/v1/customers/${id}/tax_ids`, { key }));

test('create_retrieve_list_delete', async () => {
	const c = await customer();
	const t = expectOk(await add(c.id, { type: 'eu_vat',
	    value: 'DE123456789' }));
	assert.match(t.id, /^txi_[0-9A-Za-z]{16}$/);
	assert.equal(t.object, 'tax_id');
	assert.equal(t.country, 'DE');
	assert.equal(t.customer, c.id);
	assert.equal(t.type, 'eu_vat');
	assert.equal(t.value, 'DE123456789');
	assert.equal(t.livemode, false);
	assert.deepEqual(t.verification, { status: 'unavailable',
	    verified_address: null, verified_name: null });
	assert.deepEqual(expectOk(await call(
	    `/v1/customers/${c.id}/tax_ids/${t.id}`, { key: acct.testKey })), t);
	const t2 = expectOk(await call(`/v1/customers/${c.id}/tax_ids`, {
	    method: 'POST', key: acct.testKey,
	    form: 'type=us_ein&value=12-3456789' }));
	assert.equal(t2.country, 'US');
	assert.deepEqual((await list(c.id)).data.map((x) => x.id),
	    [t2.id, t.id]);
	assert.deepEqual(expectOk(await call(
	    `/v1/customers/${c.id}/tax_ids/${t.id}`, { method: 'DELETE',
	    key: acct.testKey })), { id: t.id, object: 'tax_id', deleted: true });
	expectError(await call(`/v1/customers/${c.id}/tax_ids/${t.id}`,
	    { key: acct.testKey }), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	assert.deepEqual((await list(c.id)).data.map((x) => x.id), [t2.id]);
});

test('eu_vat_country_from_prefix', async () => {
	const c = await customer();
	assert.equal(expectOk(await add(c.id, { type: 'eu_vat',
	    value: 'EL123456789' })).country, 'GR');
	assert.equal(expectOk(await add(c.id, { type: 'eu_vat',
	    value: 'XI123456789' })).country, 'GB');
});

test('tax_id_data_on_create', async () => {
	const c = await customer(acct.testKey, { tax_id_data: [
	    { type: 'gb_vat', value: 'GB123456789' },
	    { type: 'ke_pin', value: 'P051234567X' }] });
	const l = await list(c.id);
	assert.deepEqual(l.data.map((x) => [x.type, x.value]).sort(),
	    [['gb_vat', 'GB123456789'], ['ke_pin', 'P051234567X']]);
});

test('tax_id_data_form_on_create', async () => {
	const email = uniqEmail('taxf');
	const c = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, form: `name=F&email=${email}` +
	    '&tax_id_data[0][type]=au_abn&tax_id_data[0][value]=12345678901' }));
	assert.deepEqual((await list(c.id)).data.map((x) => x.value),
	    ['12345678901']);
});

test('bad_tax_id_data_creates_no_customer', async () => {
	const email = uniqEmail('taxbad');
	expectError(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'B', email, tax_id_data: [
	    { type: 'gb_vat', value: 'GB123456789' },
	    { type: 'us_ein', value: 'nope' }] } }), 400,
	    'invalid_request_error', 'parameter_invalid',
	    'tax_id_data[1][value]');
	const l = expectOk(await call('/v1/customers?email=' +
	    encodeURIComponent(email), { key: acct.testKey }));
	assert.equal(l.data.length, 0);
});

for (const [name, body, code, param] of [
	['unknown_type', { type: 'xx_tax', value: '1' }, 'parameter_invalid',
	    'type'],
	['bad_eu_vat', { type: 'eu_vat', value: 'DE12' }, 'parameter_invalid',
	    'value'],
	['bad_in_gst', { type: 'in_gst', value: '22AAAAA0000A1Z' },
	    'parameter_invalid', 'value'],
	['missing_value', { type: 'eu_vat' }, 'parameter_missing', 'value'],
	['missing_type', { value: 'DE123456789' }, 'parameter_missing',
	    'type'],
]) {
	test(`refuses_${name}_and_adds_nothing`, async () => {
		const c = await customer();
		expectError(await add(c.id, body), 400, 'invalid_request_error',
		    code, param);
		assert.equal((await list(c.id)).data.length, 0);
	});
}

test('another_account_or_mode_sees_none', async () => {
	const c = await customer();
	const t = expectOk(await add(c.id, { type: 'ca_bn', value: '123456789' }));
	for (const key of [other.testKey, acct.liveKey]) {
		expectError(await call(`/v1/customers/${c.id}/tax_ids/${t.id}`,
		    { key }), 404, 'invalid_request_error', 'resource_missing');
		expectError(await add(c.id, { type: 'ca_bn', value: '123456789' },
		    key), 404, 'invalid_request_error', 'resource_missing');
	}
	const c2 = await customer();
	expectError(await call(`/v1/customers/${c2.id}/tax_ids/${t.id}`,
	    { key: acct.testKey }), 404, 'invalid_request_error',
	    'resource_missing', 'id');
	assert.equal((await list(c.id)).data.length, 1);
});
