// GET /v1/customers/export (issue 15 "Export and import"): CSV per RFC
// 4180 with formulas neutralised, JSON lines, the list's filters and the
// search query, account and mode scoping, and errors before the download.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey, fetchPolitely } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail, baseUrl, afterSecond }
    from '../lib/openapi.mjs';
import { csvObjects, parseCsv } from '../lib/csv.mjs';

let acct;
const made = [];	// created customers, oldest first

const HARD = [
	{ name: 'Doe, Jane', metadata: { note: 'a, b' } },
	{ name: 'The "Boss" Smith' },
	{ name: 'Tab-free, "both"', metadata: { addr: 'l1\r\nl2\nl3' } },
	{ name: 'Zoë Ñandú 山田 😀', phone: '+254700000001' },
	{ name: '=HYPERLINK("http://evil","x")' },
	{ name: '@SUM(1+1)' },
	{ name: '-2+3', metadata: { f: '=1+1' } },
];

/** The raw export: {status, headers, text}. */
async function exportRaw(key, qs = '') {
	const res = await fetchPolitely(`${baseUrl()}/v1/customers/export` +
	    (qs ? `?${qs}` : ''), { headers: { authorization: `Bearer ${key}` } });
	return { status: res.status, headers: res.headers,
	    text: await res.text() };
}

async function create(key, body) {
	return expectOk(await call('/v1/customers', { method: 'POST', key,
	    json: body }));
}

before(async () => {
	acct = await newAccount('api-export');
	for (const [i, h] of HARD.entries())
		made.push(await create(acct.testKey,
		    { ...h, email: uniqEmail(`x${i}-`) }));
});

test('csv_is_an_attachment_with_header_and_every_customer_newest_first',
    async () => {
	const r = await exportRaw(acct.testKey);
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
	assert.match(r.headers.get('content-disposition'),
	    /^attachment; filename="customers\.csv"$/);
	assert.match(r.headers.get('request-id'), /^req_/);
	const rows = parseCsv(r.text);
	assert.deepEqual(rows[0],
	    ['id', 'name', 'email', 'phone', 'created', 'metadata']);
	assert.deepEqual(rows.slice(1).map((x) => x[0]),
	    made.map((c) => c.id).reverse());
	assert.ok(r.text.endsWith('\r\n'), 'records end with CRLF');
});

test('csv_quoting_round_trips_commas_quotes_newlines_and_unicode',
    async () => {
	const got = csvObjects((await exportRaw(acct.testKey)).text);
	const byId = new Map(got.map((o) => [o.id, o]));
	for (const c of made.slice(0, 4)) {
		const o = byId.get(c.id);
		assert.equal(o.name, c.name);
		assert.equal(o.email, c.email);
		assert.equal(o.phone, c.phone ? `'${c.phone}` : '');
		assert.equal(o.created, String(c.created));
		assert.deepEqual(JSON.parse(o.metadata), c.metadata);
	}
});

test('formula_cells_get_a_leading_apostrophe', async () => {
	const got = csvObjects((await exportRaw(acct.testKey)).text);
	const byId = new Map(got.map((o) => [o.id, o]));
	assert.equal(byId.get(made[4].id).name, `'${HARD[4].name}`);
	assert.equal(byId.get(made[5].id).name, `'${HARD[5].name}`);
	assert.equal(byId.get(made[6].id).name, `'${HARD[6].name}`);
	// No cell of the file starts with a formula character.
	for (const row of parseCsv((await exportRaw(acct.testKey)).text))
		for (const cell of row)
			assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
});

test('jsonl_lines_are_the_api_objects', async () => {
	const r = await exportRaw(acct.testKey, 'format=jsonl');
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^application\/x-ndjson/);
	assert.match(r.headers.get('content-disposition'), /customers\.jsonl/);
	const lines = r.text.trimEnd().split('\n').map((l) => JSON.parse(l));
	const got = [];
	for (const c of [...made].reverse())
		got.push(expectOk(await call(`/v1/customers/${c.id}`,
		    { key: acct.testKey })));
	assert.deepEqual(lines, got);
});

test('email_filter_exports_only_that_customer', async () => {
	const c = made[2];
	const got = csvObjects((await exportRaw(acct.testKey,
	    `email=${encodeURIComponent(c.email.toUpperCase())}`)).text);
	assert.deepEqual(got.map((o) => o.id), [c.id]);
});

test('created_bounds_are_respected', async () => {
	const a = await newAccount('api-export-created');
	const old = await create(a.testKey, { name: 'Old', email: uniqEmail() });
	await afterSecond(old.created);
	const young = await create(a.testKey, { name: 'Young',
	    email: uniqEmail() });
	const got = csvObjects((await exportRaw(a.testKey,
	    `created[gte]=${young.created}`)).text);
	assert.deepEqual(got.map((o) => o.id), [young.id]);
	const older = csvObjects((await exportRaw(a.testKey,
	    `created[lt]=${young.created}`)).text);
	assert.deepEqual(older.map((o) => o.id), [old.id]);
});

test('search_query_is_respected', async () => {
	const got = csvObjects((await exportRaw(acct.testKey,
	    `query=${encodeURIComponent("name~'Boss' OR name~'Jane'")}`)).text);
	assert.deepEqual(got.map((o) => o.id).sort(),
	    [made[0].id, made[1].id].sort());
});

test('deleted_customers_are_not_exported', async () => {
	const a = await newAccount('api-export-deleted');
	const keep = await create(a.testKey, { name: 'Keep', email: uniqEmail() });
	const gone = await create(a.testKey, { name: 'Gone', email: uniqEmail() });
	expectOk(await call(`/v1/customers/${gone.id}`, { method: 'DELETE',
	    key: a.testKey }));
	const got = csvObjects((await exportRaw(a.testKey)).text);
	assert.deepEqual(got.map((o) => o.id), [keep.id]);
});

test('other_accounts_and_the_other_mode_are_not_exported', async () => {
	const other = await newAccount('api-export-other');
	await create(other.testKey, { name: 'Other', email: uniqEmail() });
	const live = await create(acct.liveKey, { name: 'Live one',
	    email: uniqEmail() });
	const test_ = csvObjects((await exportRaw(acct.testKey)).text);
	assert.equal(test_.length, made.length);
	const lives = csvObjects((await exportRaw(acct.liveKey)).text);
	assert.deepEqual(lives.map((o) => o.id), [live.id]);
});

test('an_empty_account_exports_the_header_only', async () => {
	const a = await newAccount('api-export-empty');
	const r = await exportRaw(a.testKey);
	assert.equal(r.status, 200);
	assert.equal(r.text, 'id,name,email,phone,created,metadata\r\n');
});

test('bad_format_answers_400_before_any_download', async () => {
	expectError(await call('/v1/customers/export?format=xlsx',
	    { key: acct.testKey }), 400, 'invalid_request_error',
	    'parameter_invalid', 'format');
});

test('malformed_query_answers_400_with_its_position', async () => {
	const e = expectError(await call(
	    `/v1/customers/export?query=${encodeURIComponent("name:'x")}`,
	    { key: acct.testKey }), 400, 'invalid_request_error',
	    'parameter_invalid', 'query');
	assert.match(e.message, /position/);
});

test('query_with_list_filters_answers_400', async () => {
	expectError(await call(`/v1/customers/export?query=x&email=${
	    encodeURIComponent(made[0].email)}`, { key: acct.testKey }), 400,
	    'invalid_request_error', 'parameter_invalid', 'query');
});

test('unknown_parameter_answers_400', async () => {
	expectError(await call('/v1/customers/export?limit=5',
	    { key: acct.testKey }), 400, 'invalid_request_error',
	    'parameter_unknown');
});

test('a_key_without_customers_read_gets_403', async () => {
	const k = await newKey(acct, 'test', 'payments:read');
	expectError(await call('/v1/customers/export', { key: k.key }), 403,
	    'permission_error', 'permission_denied');
});

test('no_key_gets_401', async () => {
	expectError(await call('/v1/customers/export'), 401,
	    'authentication_error', 'api_key_missing');
});
