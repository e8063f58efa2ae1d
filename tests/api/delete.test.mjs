// DELETE /v1/customers/:id: soft delete (API.md "Customers").
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct;
before(async () => { acct = await newAccount('api-delete'); });

const make = async (extra = {}) => expectOk(await call('/v1/customers', {
	method: 'POST', key: acct.testKey,
	json: { name: 'Doomed', email: uniqEmail('del'), ...extra },
}));
const del = (id) => call(`/v1/customers/${id}`,
    { method: 'DELETE', key: acct.testKey });

function expectNoSuch(res, id) {
	const e = expectError(res, 404, 'invalid_request_error',
	    'resource_missing', 'id');
	assert.equal(e.message, `No such customer: '${id}'`);
	assert.equal(e.deleted, undefined);
}

// A customer this account deleted: 404 that says so (issue 15).
function expectDeleted(res, id) {
	const e = expectError(res, 404, 'invalid_request_error',
	    'resource_missing', 'id');
	assert.equal(e.message, `No such customer: '${id}'; it has been deleted`);
	assert.equal(e.deleted, true);
}

test('delete_answers_the_deleted_stub', async () => {
	const c = await make();
	const d = expectOk(await del(c.id));
	assert.deepEqual(d, { id: c.id, object: 'customer', deleted: true });
	assert.deepEqual(Object.keys(d), ['id', 'object', 'deleted']);
});

test('second_delete_answers_404', async () => {
	const c = await make();
	expectOk(await del(c.id));
	expectDeleted(await del(c.id), c.id);
});

test('retrieve_after_delete_answers_404', async () => {
	const c = await make();
	expectOk(await del(c.id));
	expectDeleted(await call(`/v1/customers/${c.id}`,
	    { key: acct.testKey }), c.id);
});

test('list_excludes_deleted_customers', async () => {
	const keep = await make();
	const gone = await make();
	expectOk(await del(gone.id));
	const l = expectOk(await call('/v1/customers?limit=100',
	    { key: acct.testKey }));
	assert.ok(l.data.some((c) => c.id === keep.id));
	assert.ok(!l.data.some((c) => c.id === gone.id));
});

test('list_email_filter_excludes_deleted_customers', async () => {
	const gone = await make();
	expectOk(await del(gone.id));
	const l = expectOk(await call('/v1/customers?email=' +
	    encodeURIComponent(gone.email), { key: acct.testKey }));
	assert.deepEqual(l.data, []);
});

test('search_excludes_deleted_customers', async () => {
	const gone = await make({ metadata: { fate: 'deleted' } });
	expectOk(await del(gone.id));
	for (const q of [`email:'${gone.email}'`, `metadata['fate']:'deleted'`]) {
		const s = expectOk(await call('/v1/customers/search?query=' +
		    encodeURIComponent(q), { key: acct.testKey }));
		assert.deepEqual(s.data, [], q);
	}
});

test('delete_of_unknown_id_answers_404', async () => {
	expectNoSuch(await del('cust_' + 'y'.repeat(16)), 'cust_' + 'y'.repeat(16));
});

test('delete_of_malformed_id_answers_404', async () => {
	const res = await call('/v1/customers/nope', { method: 'DELETE',
	    key: acct.testKey });
	expectError(res, 404, 'invalid_request_error', 'resource_missing');
});

test('email_is_free_again_after_delete', async () => {
	const gone = await make();
	expectOk(await del(gone.id));
	const again = await make({ email: gone.email });
	assert.notEqual(again.id, gone.id);
});

test('deleting_one_customer_leaves_the_others', async () => {
	const a = await make();
	const b = await make();
	expectOk(await del(a.id));
	assert.deepEqual(expectOk(await call(`/v1/customers/${b.id}`,
	    { key: acct.testKey })), b);
});

test('deleted_customer_of_another_mode_or_account_answers_as_unknown', async () => {
	const c = await make();
	expectOk(await del(c.id));
	const other = await newAccount('api-delete-other');
	for (const key of [acct.liveKey, other.testKey])
		expectNoSuch(await call(`/v1/customers/${c.id}`, { key }), c.id);
});

test('sub_resources_of_a_deleted_customer_say_it_was_deleted', async () => {
	const c = await make();
	expectOk(await del(c.id));
	for (const path of ['payment_methods', 'tax_ids'])
		expectDeleted(await call(`/v1/customers/${c.id}/${path}`,
		    { key: acct.testKey }), c.id);
});

test('payment_for_a_deleted_customer_names_the_param', async () => {
	const c = await make();
	expectOk(await del(c.id));
	const e = expectError(await call('/v1/payments', { method: 'POST',
	    key: acct.testKey, json: { amount: 100, currency: 'usd',
	    customer: c.id } }), 400, 'invalid_request_error',
	    'resource_missing', 'customer');
	assert.equal(e.deleted, true);
});
