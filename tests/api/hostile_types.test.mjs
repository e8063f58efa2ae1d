// Values of the wrong shape (issue 7 "Hostile input"): wrong JSON types
// for every field of customers and payments, numbers beyond int64 and
// beyond double (1e400), negative, zero and fractional amounts, and keys
// given twice. Each is a 400 naming the field, and nothing is written.
//
// Duplicate keys: json-c keeps the last of {"name":"a","name":"b"}, as
// most parsers do, while a proxy, a WAF or a log reader in front may have
// read the first. A value smuggled past whoever checked the other one is
// never what an honest client meant, so we refuse the body (400
// body_invalid), as Stripe's strict parsing does; the form decoder
// refuses "name=a&name=b" alike.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';
import { unchanged } from '../lib/hostile.mjs';

let acct, cust, pay;
before(async () => {
	acct = await newAccount('api-hostile-types');
	cust = expectOk(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'Types', email: uniqEmail('types'),
	    phone: '+254700000001', metadata: { a: '1' } } }));
	pay = expectOk(await call('/v1/payments', { method: 'POST',
	    key: acct.testKey, json: { amount: 500, currency: 'kes',
	    customer: cust.id } }));
});

const key = () => acct.testKey;
const createCustomer = (json) => call('/v1/customers', { method: 'POST',
    key: key(), json });
const updateCustomer = (json) => call(`/v1/customers/${cust.id}`,
    { method: 'POST', key: key(), json });
const createPayment = (json) => call('/v1/payments', { method: 'POST',
    key: key(), json });

async function intact() {
	assert.deepEqual(expectOk(await call(`/v1/customers/${cust.id}`,
	    { key: key() })), cust);
	assert.deepEqual(expectOk(await call(`/v1/payments/${pay.id}`,
	    { key: key() })), pay);
}

const NOT_STRINGS = [
	['object', { a: 'b' }], ['empty_object', {}], ['array', ['x']],
	['empty_array', []], ['true', true], ['false', false], ['number', 42],
	['float', 4.2],
];

// ---- customers: every field

for (const [label, v] of NOT_STRINGS) {
	for (const [field, code] of [['name', 'parameter_invalid'],
	    ['email', 'parameter_invalid'], ['phone', 'parameter_invalid']]) {
		test(`customer_${field}_as_${label}_answers_400_on_create_and_update`, async () => {
			await unchanged(key(), async () => {
				const base = { name: 'T', email: uniqEmail('t') };
				expectError(await createCustomer({ ...base, [field]: v }),
				    400, 'invalid_request_error', code, field);
				expectError(await updateCustomer({ [field]: v }), 400,
				    'invalid_request_error', code, field);
			});
			await intact();
		});
	}

	if (label !== 'object' && label !== 'empty_object')
		test(`customer_metadata_as_${label}_answers_400_metadata_invalid`, async () => {
			await unchanged(key(), async () => {
				expectError(await createCustomer({ name: 'T',
				    email: uniqEmail('m'), metadata: v }), 400,
				    'invalid_request_error', 'metadata_invalid', 'metadata');
				expectError(await updateCustomer({ metadata: v }), 400,
				    'invalid_request_error', 'metadata_invalid', 'metadata');
			});
			await intact();
		});

	test(`customer_metadata_value_as_${label}_answers_400_metadata_invalid`, async () => {
		await unchanged(key(), async () => expectError(await updateCustomer(
		    { metadata: { a: v } }), 400, 'invalid_request_error',
		    'metadata_invalid', 'metadata'));
		await intact();
	});

	if (label !== 'object' && label !== 'empty_object')
		test(`customer_invoice_settings_as_${label}_answers_400`, async () => {
			await unchanged(key(), async () => expectError(await updateCustomer(
			    { invoice_settings: v }), 400, 'invalid_request_error',
			    'parameter_invalid', 'invoice_settings'));
			await intact();
		});

	test(`customer_default_payment_method_as_${label}_answers_400`, async () => {
		await unchanged(key(), async () => expectError(await updateCustomer(
		    { invoice_settings: { default_payment_method: v } }), 400,
		    'invalid_request_error', 'parameter_invalid', 'invoice_settings'));
		await intact();
	});

	test(`customer_test_clock_as_${label}_answers_400`, async () => {
		await unchanged(key(), async () => expectError(await createCustomer(
		    { name: 'T', email: uniqEmail('tc'), test_clock: v }), 400,
		    'invalid_request_error', 'parameter_invalid', 'test_clock'));
	});
}

test('customer_required_fields_as_null_answer_400_parameter_missing', async () => {
	await unchanged(key(), async () => {
		expectError(await createCustomer({ name: null, email: uniqEmail('n') }),
		    400, 'invalid_request_error', 'parameter_missing', 'name');
		expectError(await createCustomer({ name: 'N', email: null }),
		    400, 'invalid_request_error', 'parameter_missing', 'email');
		expectError(await updateCustomer({ name: null }), 400,
		    'invalid_request_error', 'parameter_missing', 'name');
	});
	await intact();
});

test('customer_name_as_a_numeric_string_is_a_name', async () => {
	// the other way round: a string where a string is expected, even
	// if it looks like a number, is taken as text
	const c = expectOk(await createCustomer({ name: '42', email: uniqEmail('n42') }));
	assert.equal(c.name, '42');
});

// ---- payments: every field

for (const [label, v] of NOT_STRINGS) {
	for (const field of ['currency', 'customer', 'description',
	    'payment_method']) {
		test(`payment_${field}_as_${label}_answers_400`, async () => {
			await unchanged(key(), async () => {
				const body = { amount: 100, currency: 'usd', [field]: v };
				const r = await createPayment(body);
				expectError(r, 400, 'invalid_request_error',
				    ['parameter_invalid', 'currency_invalid'], field);
			});
		});
	}

	if (label !== 'number')
		test(`payment_amount_as_${label}_answers_400_amount_invalid`, async () => {
			await unchanged(key(), async () => expectError(await createPayment(
			    { amount: v, currency: 'usd' }), 400, 'invalid_request_error',
			    'amount_invalid', 'amount'));
		});

	if (label !== 'object' && label !== 'empty_object')
		test(`payment_metadata_as_${label}_answers_400_metadata_invalid`, async () => {
			await unchanged(key(), async () => expectError(await createPayment(
			    { amount: 100, currency: 'usd', metadata: v }), 400,
			    'invalid_request_error', 'metadata_invalid', 'metadata'));
		});
}

// ---- numbers

for (const [label, amount] of [
	['int64_max_plus_one', '9223372036854775808'],
	['uint64_max', '18446744073709551615'],
	['twenty_nines', '99999999999999999999'],
	['int64_min_minus_one', '-9223372036854775809'],
	['above_the_documented_maximum', '100000000000'],
	['negative', '-100'],
	['zero', '0'],
	['negative_zero', '-0'],
	['fraction', '10.5'],
	['whole_as_a_float', '100.0'],
	['exponent', '1e2'],
	['tiny_fraction', '0.0000001'],
]) {
	test(`json_amount_${label}_answers_400_amount_invalid`, async () => {
		await unchanged(key(), async () => expectError(await createPayment(
		    `{"amount": ${amount}, "currency": "usd"}`), 400,
		    'invalid_request_error', 'amount_invalid', 'amount'));
	});

	test(`form_amount_${label}_answers_400_amount_invalid`, async () => {
		// As a form string, a long run of digits may pass Luhn and be
		// refused as a card number first (API.md "Payment methods").
		await unchanged(key(), async () => expectError(await call(
		    '/v1/payments', { method: 'POST', key: key(),
		    form: { amount, currency: 'usd' } }), 400,
		    'invalid_request_error', amount.length >= 13 ?
		    ['amount_invalid', 'sensitive_data_rejected'] : 'amount_invalid',
		    'amount'));
	});
}

for (const [label, text] of [
	['1e400', '1e400'], ['minus_1e400', '-1e400'], ['NaN', 'NaN'],
	['Infinity', 'Infinity'],
]) {
	test(`json_number_${label}_answers_400_body_invalid`, async () => {
		await unchanged(key(), async () => expectError(await createPayment(
		    `{"amount": ${text}, "currency": "usd"}`), 400,
		    'invalid_request_error', 'body_invalid', null));
	});
	test(`json_number_${label}_in_metadata_answers_400`, async () => {
		await unchanged(key(), async () => expectError(await updateCustomer(
		    `{"metadata": {"n": ${text}}}`), 400, 'invalid_request_error',
		    ['body_invalid', 'metadata_invalid']));
		await intact();
	});
}

for (const [label, amount] of [['padded', ' 100'], ['plus_sign', '+100'],
    ['hex', '0x64'], ['thousands_separator', '1,000'], ['empty', '']]) {
	test(`form_amount_${label}_answers_400`, async () => {
		await unchanged(key(), async () => {
			const r = await call('/v1/payments', { method: 'POST', key: key(),
			    form: { amount, currency: 'usd' } });
			expectError(r, 400, 'invalid_request_error',
			    ['amount_invalid', 'parameter_missing'], 'amount');
		});
	});
}

test('the_largest_documented_amount_is_accepted_exactly', async () => {
	const p = expectOk(await createPayment({ amount: 99999999999,
	    currency: 'usd' }));
	assert.equal(p.amount, 99999999999);
	assert.equal(expectOk(await call(`/v1/payments/${p.id}`, { key: key() }))
	    .amount, 99999999999);
});

test('list_limit_beyond_int64_answers_400', async () => {
	for (const limit of ['9223372036854775808', '-1', '1.5', '1e1', '0', '101'])
		expectError(await call(`/v1/customers?limit=${limit}`, { key: key() }),
		    400, 'invalid_request_error', 'parameter_invalid', 'limit');
});

test('created_filter_beyond_int64_answers_400', async () => {
	expectError(await call('/v1/customers?created[gt]=99999999999999999999',
	    { key: key() }), 400, 'invalid_request_error', 'parameter_invalid',
	    'created[gt]');
});

// ---- duplicate keys

test('duplicate_json_key_on_create_answers_400_body_invalid', async () => {
	const email = uniqEmail('dup');
	await unchanged(key(), async () => {
		const e = expectError(await createCustomer(
		    `{"name": "First", "name": "Second", "email": "${email}"}`), 400,
		    'invalid_request_error', 'body_invalid', null);
		assert.match(e.message, /twice/);
	});
});

test('duplicate_json_key_in_metadata_answers_400_and_updates_nothing', async () => {
	await unchanged(key(), async () => expectError(await updateCustomer(
	    '{"metadata": {"a": "x", "a": "y"}}'), 400, 'invalid_request_error',
	    'body_invalid', null));
	await intact();
});

test('duplicate_json_amount_answers_400_and_charges_nothing', async () => {
	await unchanged(key(), async () => expectError(await createPayment(
	    '{"amount": 1, "currency": "usd", "amount": 99999999999}'), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('same_key_in_two_different_objects_is_not_a_duplicate', async () => {
	const c = expectOk(await createCustomer(`{"name": "N", "email": ` +
	    `"${uniqEmail('nd')}", "metadata": {"name": "inner", "email": "x"}}`));
	assert.deepEqual(c.metadata, { name: 'inner', email: 'x' });
});

test('colons_and_quotes_inside_strings_are_not_keys', async () => {
	const c = expectOk(await createCustomer(`{"name": "a:b \\"c\\": d", ` +
	    `"email": "${uniqEmail('colon')}", "metadata": {"k:": "v:\\\\"}}`));
	assert.equal(c.name, 'a:b "c": d');
	assert.deepEqual(c.metadata, { 'k:': 'v:\\' });
});

test('duplicate_form_field_answers_400_body_invalid', async () => {
	await unchanged(key(), async () => expectError(await call('/v1/customers',
	    { method: 'POST', key: key(), form: `name=First&name=Second&email=` +
	    `${encodeURIComponent(uniqEmail('fdup'))}` }), 400,
	    'invalid_request_error', 'body_invalid', null));
});

test('duplicate_form_metadata_key_answers_400_and_updates_nothing', async () => {
	await unchanged(key(), async () => expectError(await call(
	    `/v1/customers/${cust.id}`, { method: 'POST', key: key(),
	    form: 'metadata[a]=x&metadata[a]=y' }), 400, 'invalid_request_error',
	    'body_invalid', null));
	await intact();
});

test('duplicate_query_parameter_answers_400', async () => {
	expectError(await call('/v1/customers?limit=1&limit=100', { key: key() }),
	    400, 'invalid_request_error', 'parameter_invalid', 'query');
});

test('form_list_items_with_empty_brackets_are_not_duplicates', async () => {
	// expand[]=a&expand[]=b is how Stripe clients send lists
	expectOk(await call(`/v1/customers/${cust.id}?expand[]=a&expand[]=b`,
	    { key: key() }));
});
