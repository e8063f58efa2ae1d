// PUT and POST /v1/customers/:id: partial updates, metadata merge and
// clearing, phone removal, `updated` (API.md "Customers", contract.md
// "update").
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail, afterSecond }
    from '../lib/openapi.mjs';

let acct;
before(async () => { acct = await newAccount('api-update'); });

async function make(extra = {}) {
	return expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Before', email: uniqEmail('upd'),
	    phone: '+254700000001', metadata: { a: '1', b: '2' }, ...extra } }));
}
const get = async (id) =>
    expectOk(await call(`/v1/customers/${id}`, { key: acct.testKey }));
const putJson = (id, json) => call(`/v1/customers/${id}`,
    { method: 'PUT', key: acct.testKey, json });
const postJson = (id, json) => call(`/v1/customers/${id}`,
    { method: 'POST', key: acct.testKey, json });
const postForm = (id, form) => call(`/v1/customers/${id}`,
    { method: 'POST', key: acct.testKey, form });

test('put_changes_only_the_fields_sent', async () => {
	const c = await make();
	const u = expectOk(await putJson(c.id, { name: 'After' }));
	assert.deepEqual({ ...u, updated: c.updated }, { ...c, name: 'After' });
	assert.deepEqual(await get(c.id), u);
});

test('post_json_changes_only_the_fields_sent', async () => {
	const c = await make();
	const email = uniqEmail('newmail');
	const u = expectOk(await postJson(c.id, { email }));
	assert.deepEqual({ ...u, updated: c.updated }, { ...c, email });
	assert.deepEqual(await get(c.id), u);
});

test('post_form_changes_only_the_fields_sent', async () => {
	const c = await make();
	const u = expectOk(await postForm(c.id, 'name=Form+Name&phone=%2B1+(234)+567-890'));
	assert.equal(u.name, 'Form Name');
	assert.equal(u.phone, '+1234567890');
	assert.equal(u.email, c.email);
	assert.deepEqual(u.metadata, c.metadata);
	assert.deepEqual(await get(c.id), u);
});

test('put_and_post_give_the_same_result', async () => {
	const c1 = await make();
	const c2 = await make();
	const body = { name: 'Same', metadata: { b: null, c: '3' } };
	const u1 = expectOk(await putJson(c1.id, body));
	const u2 = expectOk(await postJson(c2.id, body));
	const strip = ({ id, email, created, updated, invoice_prefix,
	    ...rest }) => rest;
	assert.deepEqual(strip(u1), strip(u2));
});

test('update_bumps_updated_and_keeps_created', async () => {
	const c = await make();
	await afterSecond(c.updated);
	const u = expectOk(await putJson(c.id, { name: 'Later' }));
	assert.equal(u.created, c.created);
	assert.ok(u.updated > c.updated, `updated ${u.updated} not after ${c.updated}`);
});

test('empty_update_returns_the_customer_unchanged', async () => {
	const c = await make();
	await afterSecond(c.updated);
	assert.deepEqual(expectOk(await putJson(c.id, {})), c);
	assert.deepEqual(expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'POST', key: acct.testKey })), c);
	assert.deepEqual(await get(c.id), c);
});

test('metadata_update_merges_keys', async () => {
	const c = await make();
	const u = expectOk(await putJson(c.id, { metadata: { b: 'two', c: '3' } }));
	assert.deepEqual(u.metadata, { a: '1', b: 'two', c: '3' });
});

test('metadata_key_set_to_empty_string_is_removed', async () => {
	const c = await make();
	const u = expectOk(await putJson(c.id, { metadata: { a: '' } }));
	assert.deepEqual(u.metadata, { b: '2' });
});

test('metadata_key_set_to_null_is_removed', async () => {
	const c = await make();
	const u = expectOk(await postJson(c.id, { metadata: { b: null } }));
	assert.deepEqual(u.metadata, { a: '1' });
});

test('metadata_key_set_empty_by_form_is_removed', async () => {
	const c = await make();
	const u = expectOk(await postForm(c.id, 'metadata[a]=&metadata[z]=new'));
	assert.deepEqual(u.metadata, { b: '2', z: 'new' });
});

test('metadata_empty_string_in_json_clears_all', async () => {
	const c = await make();
	assert.deepEqual(expectOk(await putJson(c.id, { metadata: '' })).metadata, {});
	assert.deepEqual((await get(c.id)).metadata, {});
});

test('metadata_null_in_json_clears_all', async () => {
	const c = await make();
	assert.deepEqual(expectOk(await postJson(c.id, { metadata: null })).metadata, {});
});

test('metadata_empty_by_form_clears_all', async () => {
	const c = await make();
	assert.deepEqual(expectOk(await postForm(c.id, 'metadata=')).metadata, {});
	assert.deepEqual((await get(c.id)).metadata, {});
});

test('metadata_merge_beyond_50_keys_answers_400_and_changes_nothing', async () => {
	const start = {};
	for (let i = 0; i < 30; i++)
		start[`s${i}`] = 'v';
	const c = await make({ metadata: start });
	const more = {};
	for (let i = 0; i < 21; i++)
		more[`m${i}`] = 'v';
	expectError(await putJson(c.id, { metadata: more }), 400,
	    'invalid_request_error', 'metadata_invalid', 'metadata');
	assert.deepEqual(await get(c.id), c);
});

test('metadata_update_with_501_character_value_answers_400', async () => {
	const c = await make();
	expectError(await putJson(c.id, { metadata: { a: 'x'.repeat(501) } }), 400,
	    'invalid_request_error', 'metadata_invalid', 'metadata');
	assert.deepEqual(await get(c.id), c);
});

test('phone_empty_string_removes_the_phone', async () => {
	const c = await make();
	assert.equal(expectOk(await putJson(c.id, { phone: '' })).phone, null);
	assert.equal((await get(c.id)).phone, null);
});

test('phone_null_removes_the_phone', async () => {
	const c = await make();
	assert.equal(expectOk(await postJson(c.id, { phone: null })).phone, null);
});

test('phone_empty_by_form_removes_the_phone', async () => {
	const c = await make();
	assert.equal(expectOk(await postForm(c.id, 'phone=')).phone, null);
});

test('phone_update_is_normalised', async () => {
	const c = await make();
	assert.equal(expectOk(await putJson(c.id,
	    { phone: '+44 (20) 7946-0958' })).phone, '+442079460958');
});

test('invalid_phone_update_answers_400_and_changes_nothing', async () => {
	const c = await make();
	expectError(await putJson(c.id, { phone: '12' }), 400,
	    'invalid_request_error', 'phone_invalid', 'phone');
	assert.deepEqual(await get(c.id), c);
});

test('invalid_email_update_answers_400_and_changes_nothing', async () => {
	const c = await make();
	expectError(await putJson(c.id, { email: 'not-an-email' }), 400,
	    'invalid_request_error', 'email_invalid', 'email');
	assert.deepEqual(await get(c.id), c);
});

test('name_of_257_characters_on_update_answers_400_and_changes_nothing', async () => {
	const c = await make();
	expectError(await putJson(c.id, { name: 'x'.repeat(257) }), 400,
	    'invalid_request_error', 'parameter_invalid', 'name');
	assert.deepEqual(await get(c.id), c);
});

test('blank_name_on_update_answers_400_and_changes_nothing', async () => {
	const c = await make();
	expectError(await putJson(c.id, { name: '  ' }), 400,
	    'invalid_request_error', ['parameter_missing', 'parameter_invalid'], 'name');
	assert.deepEqual(await get(c.id), c);
});

test('name_with_control_character_on_update_answers_400', async () => {
	const c = await make();
	expectError(await postForm(c.id, 'name=a%07b'), 400,
	    'invalid_request_error', 'parameter_invalid', 'name');
	assert.deepEqual(await get(c.id), c);
});

test('unknown_parameter_on_update_answers_400_and_changes_nothing', async () => {
	const c = await make();
	expectError(await putJson(c.id, { name: 'New', foo: 1 }), 400,
	    'invalid_request_error', 'parameter_unknown', 'foo');
	assert.deepEqual(await get(c.id), c);
});

test('update_of_id_field_answers_400_parameter_unknown', async () => {
	const c = await make();
	expectError(await putJson(c.id, { id: 'cust_AAAAAAAAAAAAAAAA' }), 400,
	    'invalid_request_error', 'parameter_unknown', 'id');
	assert.deepEqual(await get(c.id), c);
});

test('update_to_another_customers_email_answers_409_with_existing_id', async () => {
	const c1 = await make();
	const c2 = await make();
	const e = expectError(await putJson(c2.id, { email: c1.email.toUpperCase() }),
	    409, 'invalid_request_error', 'resource_already_exists', 'email');
	assert.equal(e.existing_id, c1.id);
	assert.deepEqual(await get(c2.id), c2);
});

test('update_to_own_email_in_another_case_is_allowed', async () => {
	const c = await make();
	const upper = c.email.toUpperCase();
	assert.equal(expectOk(await putJson(c.id, { email: upper })).email, upper);
});

test('update_of_unknown_id_answers_404', async () => {
	const id = 'cust_' + 'Z'.repeat(16);
	const e = expectError(await putJson(id, { name: 'X' }), 404,
	    'invalid_request_error', 'resource_missing', 'id');
	assert.equal(e.message, `No such customer: '${id}'`);
});

test('update_of_deleted_customer_answers_404', async () => {
	const c = await make();
	expectOk(await call(`/v1/customers/${c.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	for (const r of [await putJson(c.id, { name: 'Ghost' }),
	    await postJson(c.id, { name: 'Ghost' })])
		assert.equal(expectError(r, 404, 'invalid_request_error',
		    'resource_missing', 'id').deleted, true);
});
