// GET /v1/customers/duplicates (issue 15 "Duplicates found and merged"):
// groups by normalised email and by phone, why each matched, paging,
// deleted customers left out, and account and mode isolation. Each test
// lists its own account, so the groups it sees are the ones it made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq } from '../lib/openapi.mjs';

const GROUP_KEYS = ['id', 'object', 'reason', 'key', 'customer_count',
    'customers'];

const create = async (key, json) => expectOk(await call('/v1/customers',
    { method: 'POST', key, json }));
const dups = async (key, qs = '') => expectOk(await call(
    '/v1/customers/duplicates' + (qs ? '?' + qs : ''), { key }));
const phone = () => '+2547' + String(randomInt(1e7, 1e8));
// A Gmail local part unique in this run, lower case, no dots.
const local = () => uniq('g').toLowerCase().replace(/[^a-z0-9]/g, '');

test('gmail_dots_tags_case_and_googlemail_group_by_email', async () => {
	const a = await newAccount('dups-gmail');
	const l = local();
	const dotted = l.slice(0, 3) + '.' + l.slice(3);
	const c1 = await create(a.testKey, { name: 'Ann', email: `${l}@gmail.com` });
	const c2 = await create(a.testKey, { name: 'Bob',
	    email: `${dotted.toUpperCase()}+shop@Gmail.com` });
	const c3 = await create(a.testKey, { name: 'Cy',
	    email: `${dotted}@googlemail.com` });
	const list = await dups(a.testKey);
	assert.equal(list.object, 'list');
	assert.equal(list.url, '/v1/customers/duplicates');
	assert.equal(list.has_more, false);
	assert.equal(list.data.length, 1);
	const g = list.data[0];
	assert.deepEqual(Object.keys(g), GROUP_KEYS);
	assert.equal(g.object, 'customer_duplicate_group');
	assert.equal(g.reason, 'email');
	assert.equal(g.key, `${l}@gmail.com`);
	assert.equal(g.id, `email:${l}@gmail.com`);
	assert.equal(g.customer_count, 3);
	// Oldest first, as full customer objects.
	assert.deepEqual(g.customers.map((c) => c.id), [c1.id, c2.id, c3.id]);
	assert.equal(g.customers[1].email, c2.email);
});

test('dots_and_tags_of_other_providers_do_not_group', async () => {
	const a = await newAccount('dups-other');
	const l = local();
	await create(a.testKey, { name: 'Ann', email: `${l}@example.com` });
	await create(a.testKey, { name: 'Ann',
	    email: `${l.slice(0, 2)}.${l.slice(2)}@example.com` });
	await create(a.testKey, { name: 'Ann', email: `${l}+x@example.com` });
	assert.deepEqual((await dups(a.testKey)).data, []);
});

test('same_phone_in_any_format_groups_by_its_digits', async () => {
	const a = await newAccount('dups-phone');
	const p = phone();
	const spaced = `${p.slice(0, 4)} ${p.slice(4, 7)} (${p.slice(7, 10)})-` +
	    p.slice(10);
	const c1 = await create(a.testKey, { name: 'Ann',
	    email: `${local()}@example.com`, phone: p });
	const c2 = await create(a.testKey, { name: 'Bob',
	    email: `${local()}@example.com`, phone: spaced });
	const [g] = (await dups(a.testKey)).data;
	assert.equal(g.reason, 'phone');
	assert.equal(g.key, p.slice(1));
	assert.equal(g.id, `phone:${p.slice(1)}`);
	assert.deepEqual(g.customers.map((c) => c.id), [c1.id, c2.id]);
});

test('same_name_makes_the_reason_name_and_phone_or_name_and_email',
    async () => {
	const a = await newAccount('dups-names');
	const p = phone();
	const l = local();
	await create(a.testKey, { name: 'Jane Doe', email: `${l}@gmail.com`,
	    phone: p });
	await create(a.testKey, { name: 'jane doe', email: `${l}+b@gmail.com`,
	    phone: p });
	const data = (await dups(a.testKey)).data;
	assert.deepEqual(data.map((g) => [g.reason, g.key]), [
	    ['name_and_email', `${l}@gmail.com`],
	    ['name_and_phone', p.slice(1)]]);
});

test('deleted_customers_are_not_duplicates', async () => {
	const a = await newAccount('dups-deleted');
	const p = phone();
	await create(a.testKey, { name: 'A', email: `${local()}@example.com`,
	    phone: p });
	const gone = await create(a.testKey, { name: 'B',
	    email: `${local()}@example.com`, phone: p });
	assert.equal((await dups(a.testKey)).data.length, 1);
	expectOk(await call(`/v1/customers/${gone.id}`,
	    { method: 'DELETE', key: a.testKey }));
	assert.deepEqual((await dups(a.testKey)).data, []);
});

test('an_update_of_email_or_phone_moves_the_customer_between_groups',
    async () => {
	const a = await newAccount('dups-update');
	const p = phone();
	const l = local();
	await create(a.testKey, { name: 'A', email: `${l}@gmail.com`,
	    phone: p });
	const b = await create(a.testKey, { name: 'B',
	    email: `${local()}@example.com` });
	assert.deepEqual((await dups(a.testKey)).data, []);
	expectOk(await call(`/v1/customers/${b.id}`, { method: 'POST',
	    key: a.testKey, json: { email: `${l[0]}.${l.slice(1)}@gmail.com`,
	    phone: p } }));
	assert.deepEqual((await dups(a.testKey)).data.map((g) => g.reason),
	    ['email', 'phone']);
	expectOk(await call(`/v1/customers/${b.id}`, { method: 'POST',
	    key: a.testKey, json: { phone: '' } }));
	assert.deepEqual((await dups(a.testKey)).data.map((g) => g.reason),
	    ['email']);
});

test('pages_cover_every_group_once_across_email_and_phone', async () => {
	const a = await newAccount('dups-paging');
	const want = [];
	for (let i = 0; i < 3; i++) {
		const l = local();
		await create(a.testKey, { name: `E${i}`, email: `${l}@gmail.com` });
		await create(a.testKey, { name: `F${i}`,
		    email: `${l}+x@gmail.com` });
		want.push(`email:${l}@gmail.com`);
	}
	for (let i = 0; i < 3; i++) {
		const p = phone();
		await create(a.testKey, { name: `P${i}`,
		    email: `${local()}@example.com`, phone: p });
		await create(a.testKey, { name: `Q${i}`,
		    email: `${local()}@example.com`, phone: p });
		want.push(`phone:${p.slice(1)}`);
	}
	const all = await dups(a.testKey, 'limit=100');
	assert.deepEqual(all.data.map((g) => g.id).sort(), [...want].sort());
	const seen = [];
	let qs = 'limit=2', pages = 0, page;
	do {
		page = await dups(a.testKey, qs);
		assert.ok(page.data.length <= 2);
		seen.push(...page.data.map((g) => g.id));
		qs = 'limit=2&starting_after=' +
		    encodeURIComponent(page.data.at(-1)?.id ?? '');
		pages++;
	} while (page.has_more);
	assert.equal(pages, 3);
	assert.deepEqual(seen, all.data.map((g) => g.id));
});

test('bad_paging_parameters_answer_400', async () => {
	const a = await newAccount('dups-bad');
	for (const qs of ['starting_after=nope', 'starting_after=email:',
	    'starting_after=name:x', 'starting_after=' + 'x'.repeat(300)])
		expectError(await call('/v1/customers/duplicates?' + qs,
		    { key: a.testKey }), 400, 'invalid_request_error',
		    'parameter_invalid', 'starting_after');
	for (const limit of ['0', '101', 'x'])
		expectError(await call('/v1/customers/duplicates?limit=' + limit,
		    { key: a.testKey }), 400, 'invalid_request_error',
		    'parameter_invalid', 'limit');
	expectError(await call('/v1/customers/duplicates?ending_before=x',
	    { key: a.testKey }), 400, 'invalid_request_error',
	    'parameter_unknown', 'ending_before');
});

test('groups_never_span_accounts_or_modes', async () => {
	const a = await newAccount('dups-iso-a');
	const b = await newAccount('dups-iso-b');
	const p = phone();
	await create(a.testKey, { name: 'A', email: `${local()}@example.com`,
	    phone: p });
	await create(b.testKey, { name: 'B', email: `${local()}@example.com`,
	    phone: p });
	await create(a.liveKey, { name: 'C', email: `${local()}@example.com`,
	    phone: p });
	for (const key of [a.testKey, b.testKey, a.liveKey])
		assert.deepEqual((await dups(key)).data, []);
	await create(a.liveKey, { name: 'D', email: `${local()}@example.com`,
	    phone: p });
	assert.deepEqual((await dups(a.testKey)).data, []);
	const [g] = (await dups(a.liveKey)).data;
	assert.equal(g.customer_count, 2);
	assert.ok(g.customers.every((c) => c.livemode === true));
});

test('the_route_is_not_taken_for_a_customer_id', async () => {
	const a = await newAccount('dups-route');
	expectError(await call('/v1/customers/duplicates',
	    { method: 'DELETE', key: a.testKey }), 405,
	    'invalid_request_error', 'method_not_allowed');
});

// The groups come from counts the database keeps in step with every write
// to customers (sql/012_duplicate_counts.sql): each kind of write moves
// customer_count, and a key down to one customer leaves the list.
test('customer_count_follows_creates_updates_deletes_merges_and_imports',
    async () => {
	const a = await newAccount('dups-counts');
	const p = phone();
	const counts = async () => (await dups(a.testKey)).data.map(
	    (g) => [g.reason, g.customer_count]);
	const c1 = await create(a.testKey, { name: 'A',
	    email: `${local()}@example.com`, phone: p });
	const c2 = await create(a.testKey, { name: 'B',
	    email: `${local()}@example.com`, phone: p });
	const c3 = await create(a.testKey, { name: 'C',
	    email: `${local()}@example.com` });
	assert.deepEqual(await counts(), [['phone', 2]]);
	// An update that touches neither key changes no count.
	expectOk(await call(`/v1/customers/${c3.id}`, { method: 'POST',
	    key: a.testKey, json: { name: 'C2', phone: p } }));
	expectOk(await call(`/v1/customers/${c3.id}`, { method: 'POST',
	    key: a.testKey, json: { metadata: { k: 'v' } } }));
	assert.deepEqual(await counts(), [['phone', 3]]);
	const csv = `name,email,phone\nD,${local()}@example.com,${p}\n`;
	const res = await call('/v1/customers/import?mode=skip', {
	    method: 'POST', key: a.testKey, body: csv,
	    headers: { 'Content-Type': 'text/csv' } });
	let imp = expectOk(res, 202);	// pesaswap-jobs writes it
	for (let i = 0; imp.status !== 'succeeded' && i < 100; i++) {
		await new Promise((done) => setTimeout(done, 100));
		imp = expectOk(await call(`/v1/customers/imports/${imp.id}`,
		    { key: a.testKey }));
	}
	assert.equal(imp.status, 'succeeded');
	assert.deepEqual(await counts(), [['phone', 4]]);
	expectOk(await call(`/v1/customers/${c1.id}/merge`, { method: 'POST',
	    key: a.testKey, form: { from: c2.id } }));
	assert.deepEqual(await counts(), [['phone', 3]]);
	expectOk(await call(`/v1/customers/${c3.id}`,
	    { method: 'DELETE', key: a.testKey }));
	expectOk(await call(`/v1/customers/${c1.id}`, { method: 'POST',
	    key: a.testKey, json: { phone: '' } }));
	assert.deepEqual(await counts(), []);
});
