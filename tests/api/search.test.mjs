// GET /v1/customers/search: the query language, consistency right after a
// create, pagination with next_page, malformed queries (API.md
// "Customers", contract.md "search").
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail } from '../lib/openapi.mjs';

let acct;
before(async () => { acct = await newAccount('api-search'); });

const create = async (body) => expectOk(await call('/v1/customers',
    { method: 'POST', key: acct.testKey, json: body }));
const search = (query, extra = '') => call('/v1/customers/search?query=' +
    encodeURIComponent(query) + extra, { key: acct.testKey });
const found = async (query, extra) => {
	const r = expectOk(await search(query, extra));
	assert.equal(r.object, 'search_result');
	return r.data.map((c) => c.id);
};

// A word unique to this run, usable in names and emails (lower case).
const word = () => uniq('w').toLowerCase();

test('customer_is_found_by_exact_email_right_after_create', async () => {
	const c = await create({ name: 'Fresh', email: uniqEmail('fresh') });
	assert.deepEqual(await found(`email:'${c.email}'`), [c.id]);
});

test('search_result_holds_the_full_objects', async () => {
	const c = await create({ name: 'Full', email: uniqEmail('full'),
	    phone: '+254711000000', metadata: { k: 'v' } });
	const r = expectOk(await search(`email:'${c.email}'`));
	assert.deepEqual(r.data, [c]);
	assert.equal(r.has_more, false);
	assert.equal(r.next_page, null);
	assert.equal(r.url, '/v1/customers/search');
});

test('exact_email_is_case_insensitive', async () => {
	const c = await create({ name: 'Case', email: uniqEmail('CaseS') });
	assert.deepEqual(await found(`email:'${c.email.toUpperCase()}'`), [c.id]);
});

// An exact email is looked up among live customers only (fcgi/customers.c
// search_statement): a deleted customer with the email is not found, the
// live one that took the email over is, and an ANDed clause still filters.
test('exact_email_finds_the_live_customer_not_a_deleted_one', async () => {
	const email = uniqEmail('reuse');
	const old = await create({ name: 'Reuse Old', email });
	expectOk(await call(`/v1/customers/${old.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	const now = await create({ name: 'Reuse New', email });
	assert.deepEqual(await found(`email:'${email.toUpperCase()}'`), [now.id]);
	assert.deepEqual(await found(`email:'${email}' AND name~'Reuse New'`),
	    [now.id]);
	assert.deepEqual(await found(`name~'Reuse Old' AND email:'${email}'`), []);
	assert.deepEqual(await found(`email:'${email}'`, `&page=${now.id}`), []);
});

test('exact_email_does_not_match_a_substring', async () => {
	const c = await create({ name: 'Sub', email: uniqEmail('sub') });
	assert.deepEqual(await found(`email:'${c.email.slice(2)}'`), []);
});

test('name_substring_matches_case_insensitively', async () => {
	const w = word();
	const c = await create({ name: `Grace ${w} Hopper`, email: uniqEmail('nm') });
	assert.deepEqual(await found(`name~'${w.toUpperCase()}'`), [c.id]);
});

test('exact_name_matches', async () => {
	const w = word();
	const c = await create({ name: `Exact ${w}`, email: uniqEmail('en') });
	assert.deepEqual(await found(`name:'exact ${w}'`), [c.id]);
	assert.deepEqual(await found(`name:'Exact'`).then((l) => l.includes(c.id)), false);
});

test('substring_shorter_than_3_characters_answers_400', async () => {
	expectError(await search(`name~'ab'`), 400, 'invalid_request_error',
	    'parameter_invalid', 'query');
});

test('bare_word_matches_name', async () => {
	const w = word();
	const c = await create({ name: `Bare ${w}`, email: uniqEmail('bn') });
	assert.deepEqual(await found(w), [c.id]);
});

test('bare_word_matches_email', async () => {
	const w = word();
	const c = await create({ name: 'Bare Email', email: `${w}@example.com` });
	assert.deepEqual(await found(w), [c.id]);
});

test('bare_word_matches_phone', async () => {
	const digits = String(Date.now()).slice(-9);
	const c = await create({ name: 'Bare Phone', email: uniqEmail('bp'),
	    phone: `+254${digits}` });
	assert.ok((await found(digits)).includes(c.id));
});

test('exact_phone_matches', async () => {
	const phone = `+255${String(Date.now()).slice(-9)}`;
	const c = await create({ name: 'Phone', email: uniqEmail('ph'), phone });
	assert.deepEqual(await found(`phone:'${phone}'`), [c.id]);
});

test('metadata_key_matches_exactly', async () => {
	const v = word();
	const c = await create({ name: 'Meta', email: uniqEmail('md'),
	    metadata: { tier: v } });
	await create({ name: 'Meta Other', email: uniqEmail('md'),
	    metadata: { other: v } });
	assert.deepEqual(await found(`metadata['tier']:'${v}'`), [c.id]);
	assert.deepEqual(await found(`metadata["tier"]:"${v.toUpperCase()}"`), [c.id]);
});

test('quoted_value_with_escaped_quote_matches', async () => {
	const w = word();
	const c = await create({ name: `O'Brien ${w}`, email: uniqEmail('q') });
	assert.deepEqual(await found(`name:'o\\'brien ${w}'`), [c.id]);
});

test('created_comparisons_filter', async () => {
	const w = word();
	const c = await create({ name: `Created ${w}`, email: uniqEmail('cr') });
	assert.deepEqual(await found(`name~'${w}' AND created>${c.created - 1}`), [c.id]);
	assert.deepEqual(await found(`name~'${w}' AND created>=${c.created}`), [c.id]);
	assert.deepEqual(await found(`name~'${w}' AND created>${c.created}`), []);
	assert.deepEqual(await found(`name~'${w}' AND created<${c.created}`), []);
	assert.deepEqual(await found(`name~'${w}' AND created<=${c.created}`), [c.id]);
});

test('or_joins_clauses', async () => {
	const a = await create({ name: 'Or A', email: uniqEmail('ora') });
	const b = await create({ name: 'Or B', email: uniqEmail('orb') });
	const ids = await found(`email:'${a.email}' OR email:'${b.email}'`);
	assert.deepEqual(ids, [b.id, a.id]);
});

test('and_joins_clauses', async () => {
	const w = word();
	const both = await create({ name: `And ${w}`, email: uniqEmail('and'),
	    metadata: { plan: 'gold' } });
	await create({ name: `And ${w}`, email: uniqEmail('and'),
	    metadata: { plan: 'silver' } });
	await create({ name: 'And other', email: uniqEmail('and'),
	    metadata: { plan: 'gold' } });
	assert.deepEqual(await found(`name~'${w}' AND metadata['plan']:'gold'`),
	    [both.id]);
});

test('results_are_newest_first', async () => {
	const w = word();
	const made = [];
	for (let i = 0; i < 3; i++)
		made.push(await create({ name: `Order ${w} ${i}`, email: uniqEmail('o') }));
	assert.deepEqual(await found(`name~'${w}'`), made.map((c) => c.id).reverse());
});

test('pagination_with_next_page_walks_all_matches_once', async () => {
	const w = word();
	const made = [];
	for (let i = 0; i < 5; i++)
		made.push(await create({ name: `Page ${w} ${i}`, email: uniqEmail('pg') }));
	const seen = [];
	let page = null, n = 0;
	for (;;) {
		const r = expectOk(await search(`name~'${w}'`, '&limit=2' +
		    (page ? `&page=${encodeURIComponent(page)}` : '')));
		n++;
		assert.ok(n <= 3, 'more pages than 5 / 2 allows');
		seen.push(...r.data.map((c) => c.id));
		assert.equal(r.has_more, r.next_page !== null);
		if (!r.has_more)
			break;
		assert.equal(r.data.length, 2);
		page = r.next_page;
	}
	assert.equal(n, 3);
	assert.deepEqual(seen, made.map((c) => c.id).reverse());
});

test('query_missing_answers_400_parameter_missing', async () => {
	expectError(await call('/v1/customers/search', { key: acct.testKey }), 400,
	    'invalid_request_error', 'parameter_missing', 'query');
});

test('empty_query_answers_400_parameter_missing', async () => {
	expectError(await search(''), 400, 'invalid_request_error',
	    'parameter_missing', 'query');
});

for (const [label, q] of [
	['unterminated_string', "email:'john@example.com"],
	['unknown_field', "nosuch:'x'"],
	['missing_value', 'email:'],
	['dangling_and', "name:'abc' AND"],
	['garbage_operator', "name=='abc'"],
	['created_not_a_number', 'created>soon'],
	['metadata_without_key', "metadata:'x'"],
]) {
	test(`malformed_query_${label}_answers_400_with_position`, async () => {
		const e = expectError(await search(q), 400, 'invalid_request_error',
		    'parameter_invalid', 'query');
		const m = /at position (\d+)/.exec(e.message);
		assert.ok(m, `no position in "${e.message}"`);
		assert.ok(Number(m[1]) <= Buffer.byteLength(q), 'position past the end');
	});
}

test('malformed_query_position_points_at_the_problem', async () => {
	const e1 = expectError(await search("nosuch:'x'"), 400,
	    'invalid_request_error', 'parameter_invalid', 'query');
	assert.match(e1.message, /at position 0\b/);
	const q = "name:'abc' AND email:'a@b.co' OR phone:'+12345678'";
	const e2 = expectError(await search(q), 400,
	    'invalid_request_error', 'parameter_invalid', 'query');
	assert.match(e2.message, new RegExp(`at position ${q.indexOf(' OR') + 1}\\b`),
	    'mixing AND and OR: the position of OR');
});

test('invalid_page_answers_400_parameter_invalid', async () => {
	expectError(await search("name~'abc'", '&page=not-a-page-token'), 400,
	    'invalid_request_error', 'parameter_invalid', 'page');
});

test('invalid_limit_answers_400_parameter_invalid', async () => {
	expectError(await search("name~'abc'", '&limit=0'), 400,
	    'invalid_request_error', 'parameter_invalid', 'limit');
});

test('unknown_search_parameter_answers_400_parameter_unknown', async () => {
	expectError(await search("name~'abc'", '&email=x@example.com'), 400,
	    'invalid_request_error', 'parameter_unknown', 'email');
});

test('invalid_utf8_in_query_answers_400_parameter_invalid', async () => {
	expectError(await call('/v1/customers/search?query=%FFabc',
	    { key: acct.testKey }), 400, 'invalid_request_error',
	    'parameter_invalid', 'query');
});

test('search_finds_an_updated_value_at_once', async () => {
	const c = await create({ name: 'Before Update', email: uniqEmail('su') });
	const w = word();
	expectOk(await call(`/v1/customers/${c.id}`, { method: 'POST',
	    key: acct.testKey, json: { name: `After ${w}` } }));
	assert.deepEqual(await found(`name~'${w}'`), [c.id]);
});
