// POST /v1/customers/import and GET /v1/customers/imports[/:id] (issue 15
// "Export and import"): the dry run's per-row errors, nothing written
// when a row is bad, skip vs update, the same file once, an import that
// answers at once and is written by pesaswap-jobs (pending, running with
// progress, succeeded; resumed by another job after a kill, each row
// once), an export read back, and scoping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount, newKey, fetchPolitely } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail, baseUrl, sleep }
    from '../lib/openapi.mjs';
import { csvObjects, toCsv } from '../lib/csv.mjs';
import { LEASE_MS, startJobs, stopJobs, killJobs } from '../lib/jobs.mjs';

const HEAD = ['name', 'email', 'phone', 'metadata'];

function importCsv(key, csv, mode, headers = {}) {
	return call(`/v1/customers/import${mode ? `?mode=${mode}` : ''}`, {
		method: 'POST', key, body: csv,
		headers: { 'Content-Type': 'text/csv', ...headers },
	});
}

async function allCustomers(key) {
	const l = expectOk(await call('/v1/customers?limit=100', { key }));
	return l.data;
}

const getImport = async (key, id) =>
    expectOk(await call(`/v1/customers/imports/${id}`, { key }));

/**
 * Polls import ID until it is no longer pending or running (EACH gets
 * every state seen); its last state. pesaswap-jobs writes 500 rows a
 * batch; MS bounds the wait.
 */
async function finished(key, id, ms = 60000, each = () => {}) {
	const end = Date.now() + ms;
	for (;;) {
		const r = await getImport(key, id);
		each(r);
		if (r.status !== 'pending' && r.status !== 'running')
			return r;
		assert.ok(Date.now() < end, `import ${id} still ${r.status} ` +
		    `after ${ms} ms (${r.rows_processed}/${r.rows_total})`);
		await sleep(20);
	}
}

/* Imports CSV: the 202 (pending), then the import once it ended. */
async function imported(key, csv, mode, headers) {
	const r = expectOk(await importCsv(key, csv, mode, headers), 202);
	assert.equal(r.status, 'pending');
	return finished(key, r.id);
}

/* Every customer of KEY, read through the export (any number). */
async function exported(key) {
	const res = await fetchPolitely(`${baseUrl()}/v1/customers/export`,
	    { headers: { authorization: `Bearer ${key}` } });
	assert.equal(res.status, 200);
	return csvObjects(await res.text());
}

/* How many events of TYPE the account of KEY has (all pages). */
async function countEvents(key, type) {
	let n = 0, after = '';
	for (;;) {
		const l = expectOk(await call(`/v1/events?type=${type}` +
		    `&limit=100${after}`, { key }));
		n += l.data.length;
		if (!l.has_more)
			return n;
		after = `&starting_after=${l.data.at(-1).id}`;
	}
}

/* A file of N new customers, a blank line after every 97th row. */
function manyRows(n, prefix) {
	const rows = [HEAD];
	for (let i = 0; i < n; i++) {
		rows.push([`${prefix} ${i}`, uniqEmail(`${prefix}${i}-`), '', '']);
		if (i % 97 === 96)
			rows.push(['']);
	}
	return toCsv(rows);
}

test('dry_run_reports_bad_rows_by_number_and_writes_nothing', async () => {
	const a = await newAccount('api-import-dry');
	const csv = toCsv([HEAD,
	    ['Good One', uniqEmail(), '', ''],
	    ['', uniqEmail(), '', ''],
	    ['Bad Mail', 'not-an-email', '', ''],
	    ['Bad Phone', uniqEmail(), '12', ''],
	    ['Bad Meta', uniqEmail(), '', '[1,2]'],
	    ['Card', uniqEmail(), '', '{"n":"4242 4242 4242 4242"}'],
	]);
	const r = expectOk(await importCsv(a.testKey, csv));
	assert.equal(r.object, 'customer_import');
	assert.equal(r.id, null);
	assert.equal(r.mode, 'dry_run');
	assert.equal(r.status, 'failed');
	assert.equal(r.rows_total, 6);
	assert.equal(r.created, 1);
	assert.deepEqual(r.errors.map((e) => [e.row, e.param, e.code]), [
		[3, 'name', 'parameter_missing'],
		[4, 'email', 'email_invalid'],
		[5, 'phone', 'phone_invalid'],
		[6, 'metadata', 'metadata_invalid'],
		[7, 'n', 'sensitive_data_rejected'],
	].map(([row, param, code]) => [row, param, code]));
	for (const e of r.errors)
		assert.ok(e.message.length > 0);
	assert.deepEqual(await allCustomers(a.testKey), []);
});

test('import_with_a_bad_row_answers_400_and_writes_nothing', async () => {
	const a = await newAccount('api-import-bad');
	const csv = toCsv([HEAD, ['Fine', uniqEmail(), '', ''],
	    ['Broken', 'nope', '', '']]);
	const e = expectError(await importCsv(a.testKey, csv, 'skip'), 400,
	    'invalid_request_error', 'parameter_invalid', 'file');
	assert.deepEqual(e.errors.map((x) => [x.row, x.param]),
	    [[3, 'email']]);
	assert.deepEqual(await allCustomers(a.testKey), []);
	const l = expectOk(await call('/v1/customers/imports',
	    { key: a.testKey }));
	assert.deepEqual(l.data, []);
});

test('an_email_twice_in_the_file_is_an_error_on_its_second_row',
    async () => {
	const a = await newAccount('api-import-twice');
	const m = uniqEmail();
	const r = expectOk(await importCsv(a.testKey, toCsv([HEAD,
	    ['One', m, '', ''], ['Two', m.toUpperCase(), '', '']])));
	assert.deepEqual(r.errors.map((x) => [x.row, x.param, x.code]),
	    [[3, 'email', 'email_duplicate']]);
});

test('import_creates_customers_with_their_fields', async () => {
	const a = await newAccount('api-import-create');
	const rows = [
		['Doe, Jane', uniqEmail(), '+254 700 000 001', '{"plan":"pro, x"}'],
		['Quote "q"', uniqEmail(), '', '{"a":"two\\nlines, \\"q\\""}'],
		['Zoë 山田 😀', uniqEmail(), '', '{}'],
	];
	const r = await imported(a.testKey, toCsv([HEAD, ...rows]), 'skip');
	assert.match(r.id, /^cimp_[0-9A-Za-z]{16}$/);
	assert.equal(r.status, 'succeeded');
	assert.deepEqual([r.rows_total, r.rows_processed, r.created, r.updated,
	    r.skipped], [3, 3, 3, 0, 0]);
	const got = (await allCustomers(a.testKey)).reverse();
	assert.deepEqual(got.map((c) => [c.name, c.email, c.phone, c.metadata]),
	    [[rows[0][0], rows[0][1], '+254700000001', { plan: 'pro, x' }],
	    [rows[1][0], rows[1][1], null, { a: 'two\nlines, "q"' }],
	    [rows[2][0], rows[2][1], null,
	    {}]]);
	const ev = expectOk(await call('/v1/events?type=customer.created',
	    { key: a.testKey }));
	assert.equal(ev.data.length, 3, 'one event per created customer');
});

test('skip_leaves_existing_emails_and_update_updates_them', async () => {
	const a = await newAccount('api-import-modes');
	const m = uniqEmail();
	const old = expectOk(await call('/v1/customers', { method: 'POST',
	    key: a.testKey, json: { name: 'Old Name', email: m,
	    metadata: { keep: 'yes' } } }));
	const fresh = uniqEmail();
	const csv = (name) => toCsv([HEAD, [name, m.toUpperCase(),
	    '+254700000009', '{"tier":"gold"}'], ['New', fresh, '', '']]);
	const s = await imported(a.testKey, csv('Skip Name'), 'skip');
	assert.deepEqual([s.created, s.updated, s.skipped], [1, 0, 1]);
	let c = expectOk(await call(`/v1/customers/${old.id}`,
	    { key: a.testKey }));
	assert.equal(c.name, 'Old Name');
	assert.equal(c.phone, null);
	const u = await imported(a.testKey, csv('Updated Name'), 'update');
	assert.deepEqual([u.created, u.updated, u.skipped], [0, 2, 0]);
	c = expectOk(await call(`/v1/customers/${old.id}`, { key: a.testKey }));
	assert.equal(c.name, 'Updated Name');
	assert.equal(c.phone, '+254700000009');
	assert.deepEqual(c.metadata, { keep: 'yes', tier: 'gold' });
	assert.equal((await allCustomers(a.testKey)).length, 2);
});

test('the_same_file_twice_is_one_import', async () => {
	const a = await newAccount('api-import-same');
	const csv = toCsv([HEAD, ['Once', uniqEmail(), '', '']]);
	const first = expectOk(await importCsv(a.testKey, csv, 'update'), 202);
	let again = await importCsv(a.testKey, csv, 'update');
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.equal(expectOk(again).id, first.id, 'while it runs');
	const done = await finished(a.testKey, first.id);
	assert.equal(done.status, 'succeeded');
	again = await importCsv(a.testKey, csv, 'update');
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.deepEqual(expectOk(again), done, 'as it is now');
	assert.equal((await allCustomers(a.testKey)).length, 1);
	const ev = expectOk(await call('/v1/events', { key: a.testKey }));
	assert.equal(ev.data.length, 1, 'no second event');
});

test('an_idempotency_key_replays_the_answer', async () => {
	const a = await newAccount('api-import-idem');
	const csv = toCsv([HEAD, ['Keyed', uniqEmail(), '', '']]);
	const h = { 'Idempotency-Key': `imp-${Date.now()}` };
	const first = expectOk(await importCsv(a.testKey, csv, 'skip', h), 202);
	await finished(a.testKey, first.id);
	const again = await importCsv(a.testKey, csv, 'skip', h);
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.deepEqual(expectOk(again, 202), first, 'the first answer');
	assert.equal((await allCustomers(a.testKey)).length, 1);
});

test('an_import_is_readable_by_id_and_listed', async () => {
	const a = await newAccount('api-import-get');
	const r = await imported(a.testKey,
	    toCsv([HEAD, ['Got', uniqEmail(), '', '']]), 'skip');
	assert.deepEqual(await getImport(a.testKey, r.id), r);
	const l = expectOk(await call('/v1/customers/imports',
	    { key: a.testKey }));
	assert.deepEqual(l.data, [r]);
	const other = await newAccount('api-import-get-other');
	expectError(await call(`/v1/customers/imports/${r.id}`,
	    { key: other.testKey }), 404, 'invalid_request_error',
	    'resource_missing');
	expectError(await call(`/v1/customers/imports/${r.id}`,
	    { key: a.liveKey }), 404, 'invalid_request_error',
	    'resource_missing');
});

test('an_import_answers_at_once_and_waits_pending_for_a_job', async () => {
	const a = await newAccount('api-import-pending');
	let r;
	await stopJobs();
	try {
		r = expectOk(await importCsv(a.testKey, toCsv([HEAD,
		    ['Later', uniqEmail(), '', '']]), 'skip'), 202);
		assert.deepEqual([r.status, r.rows_total, r.rows_processed,
		    r.created], ['pending', 1, 0, 0]);
		await sleep(500);
		assert.deepEqual(await getImport(a.testKey, r.id), r,
		    'nothing happens without pesaswap-jobs');
		assert.deepEqual(await allCustomers(a.testKey), []);
	} finally {
		await startJobs();
	}
	const done = await finished(a.testKey, r.id);
	assert.deepEqual([done.status, done.rows_processed, done.created],
	    ['succeeded', 1, 1]);
	assert.equal((await allCustomers(a.testKey)).length, 1);
});

test('progress_is_visible_while_a_job_writes_the_batches', async (t) => {
	const a = await newAccount('api-import-progress');
	const t0 = Date.now();
	const r = expectOk(await importCsv(a.testKey, manyRows(3000, 'p'),
	    'skip'), 202);
	const answered = Date.now() - t0;
	assert.deepEqual([r.status, r.rows_total, r.rows_processed],
	    ['pending', 3000, 0], 'it answers before the rows are written');
	const seen = [];
	const done = await finished(a.testKey, r.id, 120000,
	    (x) => seen.push(x));
	t.diagnostic(`answered in ${answered} ms, done after ` +
	    `${Date.now() - t0} ms; seen ${seen.map((x) =>
	    `${x.status}:${x.rows_processed}`).join(' ')}`);
	assert.deepEqual([done.status, done.rows_processed, done.created,
	    done.skipped], ['succeeded', 3000, 3000, 0]);
	const partial = seen.filter((x) => x.status === 'running' &&
	    x.rows_processed > 0 && x.rows_processed < 3000);
	assert.ok(partial.length > 0, 'a running import with part written');
	assert.ok(partial.every((x) => x.rows_processed % 500 === 0 &&
	    x.created === x.rows_processed), 'counters move by the batch');
	for (let i = 1; i < seen.length; i++)
		assert.ok(seen[i].rows_processed >= seen[i - 1].rows_processed,
		    'progress only grows');
	const emails = (await exported(a.testKey)).map((c) => c.email);
	assert.equal(emails.length, 3000);
	assert.equal(new Set(emails).size, 3000);
});

test('a_killed_job_s_import_is_finished_by_the_next_each_row_once',
    async (t) => {
	const a = await newAccount('api-import-killed');
	const N = 5000;
	const r = expectOk(await importCsv(a.testKey, manyRows(N, 'k'),
	    'skip'), 202);
	// Kill pesaswap-jobs once a batch has committed, mid-import.
	let at;
	try {
		const end = Date.now() + 60000;
		do {
			at = await getImport(a.testKey, r.id);
			assert.ok(Date.now() < end, 'the import did not start');
			await sleep(10);
		} while (at.rows_processed === 0 && at.status !== 'succeeded');
		await killJobs();
		at = await getImport(a.testKey, r.id);
	} finally {
		await startJobs();
	}
	t.diagnostic(`killed at ${at.status} ${at.rows_processed}/${N}`);
	assert.equal(at.status, 'running', 'killed before the end');
	const done = await finished(a.testKey, r.id, LEASE_MS + 60000);
	assert.deepEqual([done.status, done.rows_processed, done.created,
	    done.skipped, done.errors], ['succeeded', N, N, 0, []]);
	const emails = (await exported(a.testKey)).map((c) => c.email);
	assert.equal(emails.length, N, 'each row once');
	assert.equal(new Set(emails).size, N);
	assert.equal(await countEvents(a.testKey, 'customer.created'), N,
	    'one event per customer');
});

test('an_export_imports_into_another_account_unchanged', async () => {
	const from = await newAccount('api-import-from');
	const to = await newAccount('api-import-to');
	const hard = ['Doe, "J"', '=1+1', '@a', 'Zoë 😀', "'quoted"];
	for (const [i, name] of hard.entries())
		expectOk(await call('/v1/customers', { method: 'POST',
		    key: from.testKey, json: { name, email: uniqEmail(`r${i}-`),
		    phone: i ? undefined : '+254700000002',
		    metadata: { k: `v,"${i}"\r\nnext` } } }));
	const res = await fetchPolitely(`${baseUrl()}/v1/customers/export`,
	    { headers: { authorization: `Bearer ${from.testKey}` } });
	const r = await imported(to.testKey, await res.text(), 'skip');
	assert.equal(r.created, hard.length);
	const pick = (l) => l.map((c) => [c.name, c.email, c.phone, c.metadata])
	    .sort((x, y) => x[1].localeCompare(y[1]));
	assert.deepEqual(pick(await allCustomers(to.testKey)),
	    pick(await allCustomers(from.testKey)));
});

test('a_test_key_imports_into_test_mode_only', async () => {
	const a = await newAccount('api-import-mode');
	await imported(a.testKey, toCsv([HEAD, ['T', uniqEmail(), '', '']]),
	    'skip');
	assert.equal((await allCustomers(a.testKey)).length, 1);
	assert.deepEqual(await allCustomers(a.liveKey), []);
});

test('blank_lines_are_skipped_and_a_bom_is_accepted', async () => {
	const a = await newAccount('api-import-blank');
	const csv = '\ufeffname,email\r\n\r\nB,' + uniqEmail() + '\r\n\r\n';
	const r = await imported(a.testKey, csv, 'skip');
	assert.equal(r.created, 1);
	assert.equal(r.rows_total, 1);
});

test('a_row_of_the_wrong_width_is_reported', async () => {
	const a = await newAccount('api-import-width');
	const r = expectOk(await importCsv(a.testKey,
	    `name,email\r\nA,${uniqEmail()},extra\r\n`));
	assert.deepEqual(r.errors.map((e) => [e.row, e.code]),
	    [[2, 'row_invalid']]);
});

test('an_unclosed_quote_is_reported_with_its_row', async () => {
	const a = await newAccount('api-import-quote');
	const r = expectOk(await importCsv(a.testKey,
	    `name,email\r\nA,${uniqEmail()}\r\n"B,b@example.com\r\n`));
	assert.deepEqual(r.errors.map((e) => [e.row, e.param, e.code]),
	    [[3, 'file', 'file_invalid']]);
});

test('unknown_or_repeated_column_answers_400', async () => {
	const a = await newAccount('api-import-cols');
	expectError(await importCsv(a.testKey, 'name,email,plan\r\n'), 400,
	    'invalid_request_error', 'parameter_invalid', 'file');
	expectError(await importCsv(a.testKey, 'name,email,name\r\n'), 400,
	    'invalid_request_error', 'parameter_invalid', 'file');
	expectError(await importCsv(a.testKey, 'name,phone\r\n'), 400,
	    'invalid_request_error', 'parameter_missing', 'file');
});

test('a_body_that_is_not_csv_answers_415', async () => {
	const a = await newAccount('api-import-415');
	expectError(await call('/v1/customers/import?mode=skip', {
		method: 'POST', key: a.testKey, json: { name: 'x' } }), 415,
	    'invalid_request_error', 'content_type_unsupported');
});

test('an_empty_or_non_utf8_file_answers_400', async () => {
	const a = await newAccount('api-import-empty');
	expectError(await importCsv(a.testKey, ''), 400,
	    'invalid_request_error', 'parameter_missing', 'file');
	expectError(await importCsv(a.testKey,
	    Buffer.from([0x6e, 0x61, 0xff, 0x0a])), 400,
	    'invalid_request_error', 'body_invalid');
});

test('an_unknown_mode_answers_400', async () => {
	const a = await newAccount('api-import-mode400');
	expectError(await importCsv(a.testKey, 'name,email\r\n', 'merge'), 400,
	    'invalid_request_error', 'parameter_invalid', 'mode');
});

test('a_read_only_key_cannot_import', async () => {
	const a = await newAccount('api-import-403');
	const k = await newKey(a, 'test', 'customers:read');
	expectError(await importCsv(k.key, 'name,email\r\n', 'skip'), 403,
	    'permission_error', 'permission_denied');
});

test('a_file_over_the_import_limit_answers_413_naming_it', async () => {
	const a = await newAccount('api-import-413');
	const limit = Number(process.env.PESASWAP_IMPORT_LIMIT ?? 10485760);
	const big = 'name,email\r\n' + 'x'.repeat(limit);
	const e = expectError(await importCsv(a.testKey, big, 'skip'), 413,
	    'invalid_request_error', 'body_too_large');
	assert.match(e.message, new RegExp(String(limit)));
	assert.deepEqual(await allCustomers(a.testKey), []);
});

test('a_file_over_the_body_limit_but_under_the_import_limit_is_taken',
    async () => {
	const a = await newAccount('api-import-large');
	const rows = [HEAD];
	for (let i = 0; rows.length < 2000; i++)
		rows.push([`Large ${i} ${'n'.repeat(40)}`, uniqEmail(`g${i}-`),
		    '', '{"note":"' + 'v'.repeat(40) + '"}']);
	const csv = toCsv(rows);
	assert.ok(csv.length > 65536, 'over the usual 64 KiB body limit');
	const r = expectOk(await importCsv(a.testKey, csv));
	assert.equal(r.rows_total, 1999);
	assert.deepEqual(r.errors, []);
});
