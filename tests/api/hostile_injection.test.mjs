// SQL injection (issue 7 "Hostile input"): the classic strings in every
// parameter of customers and payments, in the other resources' lookups,
// in path ids, cursors, filters and search queries. Every statement is
// prepared with bound values (STYLE.md "MariaDB"), so each string is
// only ever data: refused by its validator, stored and read back
// byte for byte, or matched against nothing. Each case reads the
// account back to prove that nothing else changed, and the timing
// strings (SLEEP, BENCHMARK) prove by the clock that no SQL ran them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';
import { accountState, unchanged } from '../lib/hostile.mjs';

const INJECTIONS = [
	['or_1_eq_1', "' OR 1=1 --"],
	['or_string_true', "x' OR 'a'='a"],
	['drop_table_single_quote', "'; DROP TABLE customers; --"],
	['drop_table_double_quote', '"; DROP TABLE payments; --'],
	['escaped_quote', "\\' OR 1=1 #"],
	['union_select', "' UNION SELECT id, email, name FROM customers --"],
	['stacked_update', "'; UPDATE customers SET name='pwned'; --"],
	['comment_and_semicolon', "*/; SELECT 1; /*"],
];
// Each would hold up the answer by seconds if it ever reached SQL.
const SLOW = [
	['sleep', "' OR SLEEP(5) --"],
	['sleep_in_parens', "x') OR SLEEP(5) OR ('"],
	['benchmark', "' OR BENCHMARK(50000000, SHA1('x')) --"],
	['double_quoted_sleep', '" OR SLEEP(5) #'],
];
const FAST_MS = 2000;		// SLEEP(5) once is 5000; a lookup is ~1

let acct, cust, pay;
before(async () => {
	acct = await newAccount('api-hostile-injection');
	cust = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Victim', email: uniqEmail('vic'),
	    metadata: { plan: 'pro' } } }));
	pay = expectOk(await call('/v1/payments', { method: 'POST',
	    key: acct.testKey, json: { amount: 2500, currency: 'usd',
	    customer: cust.id } }));
});

const key = () => acct.testKey;
const get = (path) => call(path, { key: key() });
const q = encodeURIComponent;

// The victim customer and payment are untouched.
async function victimsIntact() {
	assert.deepEqual(expectOk(await get(`/v1/customers/${cust.id}`)), cust);
	assert.deepEqual(expectOk(await get(`/v1/payments/${pay.id}`)), pay);
}

for (const [label, s] of [...INJECTIONS, ...SLOW]) {
	// ---- customers: refused where the value has a format

	test(`sql_injection_${label}_as_customer_email_is_refused`, async () => {
		await unchanged(key(), async () => expectError(await call(
		    '/v1/customers', { method: 'POST', key: key(),
		    json: { name: 'Inj', email: s } }), 400,
		    'invalid_request_error', 'email_invalid', 'email'));
		await victimsIntact();
	});

	test(`sql_injection_${label}_as_customer_phone_is_refused`, async () => {
		await unchanged(key(), async () => expectError(await call(
		    '/v1/customers', { method: 'POST', key: key(),
		    json: { name: 'Inj', email: uniqEmail('inj'), phone: s } }),
		    400, 'invalid_request_error', 'phone_invalid', 'phone'));
	});

	// ---- customers: stored as text where any text is fine

	test(`sql_injection_${label}_as_customer_name_and_metadata_is_stored_verbatim`, async () => {
		const before = await accountState(key());
		const email = uniqEmail('inj');
		const c = expectOk(await call('/v1/customers', { method: 'POST',
		    key: key(), json: { name: s, email,
		    metadata: { [label]: s } } }));
		assert.equal(c.name, s);
		assert.equal(c.metadata[label], s);
		const back = expectOk(await get(`/v1/customers/${c.id}`));
		assert.equal(back.name, s);
		assert.equal(back.metadata[label], s);
		// exactly one customer (and its event) more, nothing else
		const after = await accountState(key());
		assert.deepEqual(after.customers, [c.id, ...before.customers]);
		assert.deepEqual(after.payments, before.payments);
		assert.equal(after.events.length, before.events.length + 1);
		await victimsIntact();
	});

	test(`sql_injection_${label}_in_a_form_encoded_update_is_stored_verbatim`, async () => {
		const c = expectOk(await call('/v1/customers', { method: 'POST',
		    key: key(), json: { name: 'Before', email: uniqEmail('upd') } }));
		const u = expectOk(await call(`/v1/customers/${c.id}`, {
		    method: 'POST', key: key(), form: { name: s } }));
		assert.equal(u.name, s);
		assert.equal(expectOk(await get(`/v1/customers/${c.id}`)).name, s);
		await victimsIntact();
	});

	// ---- ids in the path and in parameters

	test(`sql_injection_${label}_as_customer_id_answers_404_for_every_method`, async () => {
		await unchanged(key(), async () => {
			for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
				const r = await call(`/v1/customers/${q(s)}`, { method,
				    key: key(), json: method === 'GET' ||
				    method === 'DELETE' ? undefined : { name: 'X' } });
				expectError(r, 404, 'invalid_request_error',
				    'resource_missing');
			}
		});
		await victimsIntact();
	});

	test(`sql_injection_${label}_as_payment_and_subresource_ids_answers_404`, async () => {
		await unchanged(key(), async () => {
			for (const path of [`/v1/payments/${q(s)}`,
			    `/v1/customers/${q(s)}/analytics`,
			    `/v1/customers/${q(s)}/payment_methods`,
			    `/v1/events/${q(s)}`, `/v1/prices/${q(s)}`,
			    `/v1/subscriptions/${q(s)}`,
			    `/v1/webhook_endpoints/${q(s)}`])
				expectError(await get(path), 404,
				    'invalid_request_error', 'resource_missing');
			expectError(await call(`/v1/customers/${cust.id}/payment_methods/${q(s)}`,
			    { method: 'DELETE', key: key() }), 404,
			    'invalid_request_error', 'resource_missing');
		});
	});

	test(`sql_injection_${label}_as_payment_customer_is_refused`, async () => {
		await unchanged(key(), async () => expectError(await call(
		    '/v1/payments', { method: 'POST', key: key(),
		    json: { amount: 100, currency: 'usd', customer: s } }), 400,
		    'invalid_request_error', 'resource_missing', 'customer'));
		await victimsIntact();
	});

	test(`sql_injection_${label}_as_payment_currency_is_refused`, async () => {
		await unchanged(key(), async () => expectError(await call(
		    '/v1/payments', { method: 'POST', key: key(),
		    json: { amount: 100, currency: s } }), 400,
		    'invalid_request_error', 'currency_invalid', 'currency'));
	});

	test(`sql_injection_${label}_as_payment_amount_is_refused`, async () => {
		await unchanged(key(), async () => expectError(await call(
		    '/v1/payments', { method: 'POST', key: key(),
		    form: { amount: `100${s}`, currency: 'usd' } }), 400,
		    'invalid_request_error', 'amount_invalid', 'amount'));
	});

	test(`sql_injection_${label}_as_payment_description_and_metadata_is_stored_verbatim`, async () => {
		const p = expectOk(await call('/v1/payments', { method: 'POST',
		    key: key(), json: { amount: 100, currency: 'usd',
		    description: s, metadata: { note: s } } }));
		const back = expectOk(await get(`/v1/payments/${p.id}`));
		assert.equal(back.description, s);
		assert.equal(back.metadata.note, s);
		assert.equal(back.amount, 100);
		await victimsIntact();
	});

	test(`sql_injection_${label}_as_payment_method_token_is_refused`, async () => {
		await unchanged(key(), async () => {
			const r = await call(`/v1/customers/${cust.id}/payment_methods`,
			    { method: 'POST', key: key(), json: { payment_method: s } });
			assert.equal(r.status, 400, r.text);
			const p = await call('/v1/payments', { method: 'POST',
			    key: key(), json: { amount: 100, currency: 'usd',
			    payment_method: s } });
			assert.equal(p.status, 400, p.text);
		});
	});

	test(`sql_injection_${label}_as_subscription_price_or_lookup_key_is_refused`, async () => {
		await unchanged(key(), async () => {
			const r = await call('/v1/subscriptions', { method: 'POST',
			    key: key(), json: { customer: cust.id, price: s } });
			expectError(r, 400, 'invalid_request_error',
			    'resource_missing', 'price');
		});
	});

	// ---- cursors and filters of the lists

	test(`sql_injection_${label}_as_list_cursors_answers_400_naming_the_cursor`, async () => {
		await unchanged(key(), async () => {
			for (const list of ['/v1/customers', '/v1/payments',
			    '/v1/events'])
				for (const cursor of ['starting_after', 'ending_before'])
					expectError(await get(`${list}?${cursor}=${q(s)}`),
					    400, 'invalid_request_error',
					    'resource_missing', cursor);
		});
	});

	test(`sql_injection_${label}_as_list_filters_matches_nothing`, async () => {
		await unchanged(key(), async () => {
			for (const path of [`/v1/customers?email=${q(s)}`,
			    `/v1/payments?customer=${q(s)}`,
			    `/v1/events?type=${q(s)}`,
			    `/v1/subscriptions?customer=${q(s)}`]) {
				const r = await get(path);
				// an empty list, or a 400 for a filter with a format
				if (r.status === 200)
					assert.deepEqual(r.json.data, [], path);
				else
					expectError(r, 400, 'invalid_request_error',
					    undefined);
			}
		});
	});

	test(`sql_injection_${label}_as_created_filter_and_limit_is_refused`, async () => {
		await unchanged(key(), async () => {
			expectError(await get(`/v1/customers?created[gt]=${q(s)}`), 400,
			    'invalid_request_error', 'parameter_invalid', 'created[gt]');
			expectError(await get(`/v1/payments?limit=${q(s)}`), 400,
			    'invalid_request_error', 'parameter_invalid', 'limit');
		});
	});

	test(`sql_injection_${label}_in_search_values_matches_only_that_text`, async () => {
		// Inside a well-formed string the text is searched for as it
		// is: the victim never matches it.
		const lit = s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
		await unchanged(key(), async () => {
			for (const query of [`email:'${lit}'`, `name~'${lit}'`,
			    `metadata['plan']:'${lit}'`]) {
				const r = expectOk(await get(
				    `/v1/customers/search?query=${q(query)}`));
				assert.ok(r.data.every((c) => c.name === s ||
				    c.metadata?.[label] === s), `${query}: ${r.text}`);
				assert.ok(!r.data.some((c) => c.id === cust.id), query);
			}
		});
	});

	test(`sql_injection_${label}_as_a_raw_search_query_is_refused_or_matches_nothing_else`, async () => {
		await unchanged(key(), async () => {
			const r = await get(`/v1/customers/search?query=${q(s)}`);
			if (r.status === 400)
				expectError(r, 400, 'invalid_request_error',
				    'parameter_invalid', 'query');
			else
				assert.ok(!expectOk(r).data.some((c) => c.id === cust.id),
				    r.text);
		});
	});

	test(`sql_injection_${label}_as_idempotency_key_is_only_a_key`, async () => {
		const email = uniqEmail('idem');
		const send = () => call('/v1/customers', { method: 'POST', key: key(),
		    headers: { 'Idempotency-Key': `${s}-${email}` },
		    json: { name: 'Idem', email } });
		const first = expectOk(await send());
		const again = await send();
		assert.deepEqual(expectOk(again), first);
		assert.equal(again.headers.get('idempotent-replayed'), 'true');
		assert.equal(expectOk(await get(`/v1/customers?email=${q(email)}`))
		    .data.length, 1);
	});
}

test('sql_injection_as_the_api_key_answers_401', async () => {
	await unchanged(key(), async () => {
		for (const [, s] of [...INJECTIONS, ...SLOW])
			for (const k of [s, `sk_test_${s}`])
				expectError(await call('/v1/customers', {
				    headers: { Authorization: `Bearer ${k}` } }), 401,
				    'authentication_error', 'api_key_invalid', null);
	});
});

test('like_wildcards_in_a_substring_search_match_only_themselves', async () => {
	// % and _ are LIKE's wildcards: escaped, "%%%" matches no name
	// without three percent signs, "___" none without underscores.
	const pct = expectOk(await call('/v1/customers', { method: 'POST',
	    key: key(), json: { name: 'Rate 100%%% sure', email: uniqEmail('pct') } }));
	for (const [query, want] of [[`name~'%%%'`, [pct.id]], [`name~'___'`, []]]) {
		const r = expectOk(await get(`/v1/customers/search?query=${q(query)}`));
		assert.deepEqual(r.data.map((c) => c.id), want, query);
	}
});

for (const [label, s] of SLOW) {
	test(`sql_injection_${label}_answers_within_${FAST_MS}_ms_everywhere`, async () => {
		const places = [
			`/v1/customers/${q(s)}`,
			`/v1/customers?email=${q(s)}`,
			`/v1/customers?starting_after=${q(s)}`,
			`/v1/payments?customer=${q(s)}`,
			`/v1/customers/search?query=${q(s)}`,
			`/v1/customers/search?query=${q(`name~'${s.replace(/'/g, "\\'")}'`)}`,
		];
		for (const path of places) {
			const t0 = Date.now();
			const r = await get(path);
			const ms = Date.now() - t0;
			assert.ok(r.status === 200 || (r.status >= 400 && r.status < 500),
			    `${path}: ${r.status}`);
			assert.ok(ms < FAST_MS, `${path} took ${ms} ms`);
		}
		const t0 = Date.now();
		expectError(await call('/v1/payments', { method: 'POST', key: key(),
		    json: { amount: 100, currency: 'usd', customer: s } }), 400,
		    'invalid_request_error', 'resource_missing', 'customer');
		assert.ok(Date.now() - t0 < FAST_MS);
	});
}

test('the_tables_survive_every_injection', async () => {
	assert.deepEqual(expectOk(await call('/healthz')), { status: 'ok' });
	await victimsIntact();
	const s = await accountState(key());
	assert.ok(s.customers.includes(cust.id));
	assert.ok(s.payments.includes(pay.id));
	// no stacked UPDATE ran: no customer of the account is named pwned
	const all = expectOk(await get('/v1/customers?limit=100')).data;
	assert.ok(!all.some((c) => c.name === 'pwned'));
});
