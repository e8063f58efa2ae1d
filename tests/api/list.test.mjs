// GET /v1/customers: newest-first order, pagination both ways, filters and
// parameter validation (API.md "Customers", contract.md "list").
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail, afterSecond }
    from '../lib/openapi.mjs';

const N = 57;
let acct;		// holds exactly N customers
let ids;		// their ids in creation order (oldest first)
let made;		// the created objects, same order

const list = (key, qs = '') => call(`/v1/customers${qs ? '?' + qs : ''}`, { key });

before(async () => {
	acct = await newAccount('api-list');
	made = [];
	for (let i = 0; i < N; i++)
		made.push(expectOk(await call('/v1/customers', {
			method: 'POST', key: acct.testKey,
			json: { name: `List ${String(i).padStart(2, '0')}`,
			    email: uniqEmail(`l${i}-`) },
		})));
	ids = made.map((c) => c.id);
});

const newestFirst = () => [...ids].reverse();

test('list_defaults_to_10_newest_first', async () => {
	const l = expectOk(await list(acct.testKey));
	assert.deepEqual(l.data.map((c) => c.id), newestFirst().slice(0, 10));
	assert.equal(l.has_more, true);
	assert.equal(l.url, '/v1/customers');
});

test('list_objects_equal_the_created_objects', async () => {
	const l = expectOk(await list(acct.testKey, 'limit=3'));
	assert.deepEqual(l.data, [...made].reverse().slice(0, 3));
});

test('limit_100_lists_all_57_without_more', async () => {
	const l = expectOk(await list(acct.testKey, 'limit=100'));
	assert.deepEqual(l.data.map((c) => c.id), newestFirst());
	assert.equal(l.has_more, false);
});

test('walk_forward_with_starting_after_has_no_gaps_or_repeats', async () => {
	const seen = [];
	let cursor = null, pages = 0;
	for (;;) {
		const l = expectOk(await list(acct.testKey, 'limit=10' +
		    (cursor ? `&starting_after=${cursor}` : '')));
		pages++;
		assert.ok(pages <= 6, 'more pages than 57 / 10 allows');
		seen.push(...l.data.map((c) => c.id));
		if (!l.has_more) {
			assert.equal(l.data.length, 7, 'last page size');
			break;
		}
		assert.equal(l.data.length, 10);
		cursor = l.data[l.data.length - 1].id;
	}
	assert.equal(pages, 6);
	assert.deepEqual(seen, newestFirst());
});

test('walk_backward_with_ending_before_has_no_gaps_or_repeats', async () => {
	// From the oldest customer towards the newest: each page holds the
	// customers just newer than the cursor, newest first.
	const pages = [];
	let cursor = ids[0];
	for (;;) {
		const l = expectOk(await list(acct.testKey,
		    `limit=10&ending_before=${cursor}`));
		const pageIds = l.data.map((c) => c.id);
		const at = ids.indexOf(cursor);
		assert.deepEqual(pageIds, ids.slice(at + 1, at + 11).reverse(),
		    `page ${pages.length + 1}, ending_before ${cursor}`);
		pages.push(pageIds);
		assert.ok(pages.length <= 6, 'more pages than 56 / 10 allows');
		if (!l.has_more)
			break;
		assert.equal(pageIds.length, 10);
		cursor = pageIds[0];
	}
	assert.equal(pages.length, 6);
	assert.equal(pages[5].length, 6, 'last page size');
	const walked = [...pages].reverse().flat().concat([ids[0]]);
	assert.deepEqual(walked, newestFirst());
});

test('ending_before_the_newest_answers_an_empty_page', async () => {
	const l = expectOk(await list(acct.testKey, `ending_before=${ids[N - 1]}`));
	assert.deepEqual(l.data, []);
	assert.equal(l.has_more, false);
});

test('starting_after_the_oldest_answers_an_empty_page', async () => {
	const l = expectOk(await list(acct.testKey, `starting_after=${ids[0]}`));
	assert.deepEqual(l.data, []);
	assert.equal(l.has_more, false);
});

test('customers_created_in_one_second_list_in_reverse_creation_order', async () => {
	let sameSecond = 0;
	for (let i = 1; i < N; i++)
		if (made[i].created === made[i - 1].created)
			sameSecond++;
	assert.ok(sameSecond > 0, 'no two customers share a second');
	const l = expectOk(await list(acct.testKey, 'limit=100'));
	assert.deepEqual(l.data.map((c) => c.id), newestFirst());
	for (let i = 1; i < l.data.length; i++)
		assert.ok(l.data[i - 1].created >= l.data[i].created);
});

for (const bad of ['0', '101', '-1', 'abc', '1.5', '1e2']) {
	test(`limit_${JSON.stringify(bad)}_answers_400_parameter_invalid`, async () => {
		expectError(await list(acct.testKey, `limit=${bad}`), 400,
		    'invalid_request_error', 'parameter_invalid', 'limit');
	});
}

test('limit_1_and_100_are_accepted', async () => {
	assert.equal(expectOk(await list(acct.testKey, 'limit=1')).data.length, 1);
	assert.equal(expectOk(await list(acct.testKey, 'limit=100')).data.length, N);
});

for (const p of ['starting_after', 'ending_before']) {
	test(`unknown_${p}_answers_400_resource_missing`, async () => {
		expectError(await list(acct.testKey, `${p}=cust_${'Q'.repeat(16)}`),
		    400, 'invalid_request_error', 'resource_missing', p);
	});
}

test('both_cursors_answer_400_parameter_invalid_ending_before', async () => {
	expectError(await list(acct.testKey,
	    `starting_after=${ids[30]}&ending_before=${ids[10]}`),
	    400, 'invalid_request_error', 'parameter_invalid', 'ending_before');
});

test('unknown_query_parameter_answers_400_parameter_unknown', async () => {
	expectError(await list(acct.testKey, 'foo=1'), 400,
	    'invalid_request_error', 'parameter_unknown', 'foo');
});

test('invalid_utf8_in_a_query_parameter_answers_400_parameter_invalid', async () => {
	expectError(await list(acct.testKey, 'email=%FF%FEa@example.com'), 400,
	    'invalid_request_error', 'parameter_invalid', 'email');
});

// ---- filters, on accounts of their own

test('email_filter_is_exact_and_case_insensitive', async () => {
	const F = await newAccount('api-list-email');
	const email = uniqEmail('Filter.Me.');
	const mk = (e) => call('/v1/customers', { method: 'POST', key: F.testKey,
	    json: { name: 'F', email: e } });
	const c = expectOk(await mk(email));
	expectOk(await mk('x' + email));		// longer, must not match
	expectOk(await mk(uniqEmail('other')));
	for (const q of [email, email.toUpperCase(), email.toLowerCase()]) {
		const l = expectOk(await list(F.testKey,
		    'email=' + encodeURIComponent(q)));
		assert.deepEqual(l.data.map((x) => x.id), [c.id], q);
	}
	const none = expectOk(await list(F.testKey,
	    'email=' + encodeURIComponent(email.slice(1))));
	assert.deepEqual(none.data, []);
});

test('created_filters_gt_gte_lt_lte_and_exact', async () => {
	const C = await newAccount('api-list-created');
	const mk = async () => expectOk(await call('/v1/customers', {
		method: 'POST', key: C.testKey,
		json: { name: 'C', email: uniqEmail('cr') },
	}));
	const c1 = await mk();
	await afterSecond(c1.created);
	const c2 = await mk();
	await afterSecond(c2.created);
	const c3 = await mk();
	assert.ok(c1.created < c2.created && c2.created < c3.created);
	const t = c2.created;
	const q = async (qs) => expectOk(await list(C.testKey, qs)).data.map((c) => c.id);
	assert.deepEqual(await q(`created[gte]=${t}`), [c3.id, c2.id]);
	assert.deepEqual(await q(`created[gt]=${t}`), [c3.id]);
	assert.deepEqual(await q(`created[lt]=${t}`), [c1.id]);
	assert.deepEqual(await q(`created[lte]=${t}`), [c2.id, c1.id]);
	assert.deepEqual(await q(`created=${t}`), [c2.id]);
	assert.deepEqual(await q(`created[gte]=${t}&created[lt]=${c3.created}`), [c2.id]);
	// form-encoded brackets, as Stripe clients send them
	assert.deepEqual(await q(`created%5Bgte%5D=${t}`), [c3.id, c2.id]);
	// filters combine with pagination
	assert.deepEqual(await q(`created[gte]=${c1.created}&limit=1&starting_after=${c3.id}`),
	    [c2.id]);
});

for (const [p, v] of [['created[gt]', 'abc'], ['created[lte]', '1.5'],
    ['created', 'yesterday']]) {
	test(`${p}_${v}_answers_400_parameter_invalid`, async () => {
		const A = await newAccount('api-list-badcreated');
		expectError(await list(A.testKey, `${p}=${v}`), 400,
		    'invalid_request_error', 'parameter_invalid', p);
	});
}
