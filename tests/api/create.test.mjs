// POST /v1/customers: encodings, normalisation, validation (API.md
// "Customers", contract.md "Customers" and the 400/409 rows). Every
// refused request is followed by a read-back proving nothing was written.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniq, uniqEmail } from '../lib/openapi.mjs';

let acct;
before(async () => { acct = await newAccount('api-create'); });

const createJson = (body, headers = {}) => call('/v1/customers',
    { method: 'POST', key: acct.testKey, json: body, headers });
const createForm = (form) => call('/v1/customers',
    { method: 'POST', key: acct.testKey, form });

async function countEmail(email) {
	const l = expectOk(await call('/v1/customers?email=' +
	    encodeURIComponent(email), { key: acct.testKey }));
	return l.data.length;
}

// A refused create: the error, then nothing stored under that email.
async function refused(body, status, code, param) {
	const res = await createJson(body);
	const e = expectError(res, status, 'invalid_request_error', code, param);
	if (typeof body === 'object' && typeof body?.email === 'string' &&
	    body.email.includes('@') && body.email.length < 250)
		assert.equal(await countEmail(body.email), 0,
		    'a refused create stored a customer');
	return e;
}

test('create_answers_every_field_in_the_documented_order', async () => {
	const email = uniqEmail('order');
	const c = expectOk(await createJson({ name: 'Ada Lovelace', email }));
	// API.md's example order (contract.md lists metadata before created),
	// Stripe's fields of issue 15 after phone
	assert.deepEqual(Object.keys(c), ['id', 'object', 'name', 'email',
	    'phone', 'description', 'address', 'shipping', 'preferred_locales',
	    'invoice_prefix', 'created', 'updated', 'metadata',
	    'invoice_settings', 'test_clock', 'livemode']);
	assert.equal(c.name, 'Ada Lovelace');
	assert.equal(c.email, email);
	assert.equal(c.phone, null);
	assert.deepEqual(c.metadata, {});
	assert.equal(c.created, c.updated);
});

test('create_ids_are_distinct', async () => {
	const ids = new Set();
	for (let i = 0; i < 5; i++)
		ids.add(expectOk(await createJson({ name: 'Id', email: uniqEmail('id') })).id);
	assert.equal(ids.size, 5);
});

test('create_form_encoded_with_bracket_metadata_and_plus_for_spaces', async () => {
	const local = uniq('form');
	const c = expectOk(await createForm(
	    `name=Jane+Q.+Public&email=${local}%40example.com` +
	    '&phone=%2B254+700+000+000&metadata[plan]=pro&metadata[team]=red+team'));
	assert.equal(c.name, 'Jane Q. Public');
	assert.equal(c.email, `${local}@example.com`);
	assert.equal(c.phone, '+254700000000');
	assert.deepEqual(c.metadata, { plan: 'pro', team: 'red team' });
	const got = expectOk(await call(`/v1/customers/${c.id}`, { key: acct.testKey }));
	assert.deepEqual(got, c);
});

test('create_form_encoded_with_percent_encoded_brackets_and_%20', async () => {
	const email = uniqEmail('form2');
	const c = expectOk(await createForm(
	    `name=Jane%20Doe&email=${encodeURIComponent(email)}` +
	    '&metadata%5Bplan%5D=pro'));
	assert.equal(c.name, 'Jane Doe');
	assert.deepEqual(c.metadata, { plan: 'pro' });
});

test('create_json_with_charset_in_content_type', async () => {
	const c = expectOk(await createJson({ name: 'Charset', email: uniqEmail('cs') },
	    { 'Content-Type': 'application/json; charset=utf-8' }));
	assert.equal(c.name, 'Charset');
});

test('create_keeps_utf8_names_and_quotes_as_given', async () => {
	const name = `Zoë O'Brien "\\" 😀 Ñandú; DROP TABLE customers;--`;
	const c = expectOk(await createJson({ name, email: uniqEmail('utf') }));
	assert.equal(c.name, name);
	assert.equal(expectOk(await call(`/v1/customers/${c.id}`,
	    { key: acct.testKey })).name, name);
});

test('name_is_trimmed', async () => {
	const c = expectOk(await createJson({ name: '  \t Jane Trim \n ',
	    email: uniqEmail('trim') }));
	assert.equal(c.name, 'Jane Trim');
});

test('email_is_stored_as_given', async () => {
	const email = `Mixed.Case.${uniq('E')}@Example.COM`;
	const c = expectOk(await createJson({ name: 'Case', email }));
	assert.equal(c.email, email);
});

test('phone_with_spaces_dashes_and_parentheses_is_normalised', async () => {
	const c = expectOk(await createJson({ name: 'Phone',
	    email: uniqEmail('ph'), phone: '+1 (234) 567-890' }));
	assert.equal(c.phone, '+1234567890');
});

test('phone_null_gives_no_phone', async () => {
	const c = expectOk(await createJson({ name: 'P', email: uniqEmail('pn'),
	    phone: null }));
	assert.equal(c.phone, null);
});

test('phone_empty_string_gives_no_phone', async () => {
	const c = expectOk(await createJson({ name: 'P', email: uniqEmail('pe'),
	    phone: '' }));
	assert.equal(c.phone, null);
});

test('empty_metadata_values_are_dropped_on_create', async () => {
	const c = expectOk(await createJson({ name: 'M', email: uniqEmail('md'),
	    metadata: { keep: 'yes', drop: '' } }));
	assert.deepEqual(c.metadata, { keep: 'yes' });
});

test('metadata_of_50_keys_40_char_keys_and_500_char_values_is_accepted', async () => {
	const metadata = {};
	for (let i = 0; i < 50; i++)
		metadata[`k${String(i).padStart(2, '0')}`.padEnd(40, 'x')] = 'v'.repeat(500);
	const c = expectOk(await createJson({ name: 'Max', email: uniqEmail('mx'),
	    metadata }));
	assert.deepEqual(c.metadata, metadata);
});

test('name_of_256_characters_is_accepted', async () => {
	const c = expectOk(await createJson({ name: 'n'.repeat(256),
	    email: uniqEmail('n256') }));
	assert.equal(c.name.length, 256);
});

test('name_of_256_multibyte_characters_is_accepted', async () => {
	const name = 'é'.repeat(255) + '😀';
	const c = expectOk(await createJson({ name, email: uniqEmail('n256u') }));
	assert.equal(c.name, name);
});

test('name_of_257_characters_answers_400_parameter_invalid', async () => {
	await refused({ name: 'n'.repeat(257), email: uniqEmail('n257') },
	    400, 'parameter_invalid', 'name');
});

// (NUL is refused with the whole body: hostile_encoding.test.mjs.)
for (const [label, name] of [
	['bell', 'Jo\u0007hn'], ['newline', 'John\nDoe'],
	['escape', '\u001b[31mred'], ['del', 'John\u007f'], ['c1', 'John\u0085Doe'],
]) {
	test(`name_with_control_character_${label}_answers_400_parameter_invalid`, async () => {
		await refused({ name, email: uniqEmail('ctl') },
		    400, 'parameter_invalid', 'name');
	});
}

test('name_missing_answers_400_parameter_missing', async () => {
	const e = await refused({ email: uniqEmail('nm') }, 400,
	    'parameter_missing', 'name');
	assert.match(e.message, /name/);
});

test('name_blank_after_trim_answers_400_parameter_missing', async () => {
	await refused({ name: '   ', email: uniqEmail('nb') }, 400,
	    'parameter_missing', 'name');
});

test('email_missing_answers_400_parameter_missing', async () => {
	const e = expectError(await createJson({ name: 'No Email' }), 400,
	    'invalid_request_error', 'parameter_missing', 'email');
	assert.match(e.message, /email/);
});

test('empty_body_answers_400_parameter_missing', async () => {
	expectError(await call('/v1/customers', { method: 'POST', key: acct.testKey }),
	    400, 'invalid_request_error', 'parameter_missing');
});

test('form_with_name_missing_answers_400_parameter_missing', async () => {
	const email = uniqEmail('fm');
	expectError(await createForm(`email=${encodeURIComponent(email)}`), 400,
	    'invalid_request_error', 'parameter_missing', 'name');
	assert.equal(await countEmail(email), 0);
});

for (const [field, value] of [
	['name', 123], ['name', true], ['name', { first: 'J' }], ['name', ['J']],
	['email', 42], ['email', false],
	['phone', 1234567890], ['phone', ['+1234567890']],
]) {
	const type = Array.isArray(value) ? 'array' : typeof value;
	test(`${field}_of_json_type_${type}_answers_400_parameter_invalid`, async () => {
		const body = { name: 'Typed', email: uniqEmail('ty'), [field]: value };
		await refused(body, 400, 'parameter_invalid', field);
	});
}

for (const bad of [
	'plainaddress', '@example.com', 'john@', 'john@example', 'john doe@example.com',
	'john..doe@example.com', '.john@example.com', 'john.@example.com',
	'john@-example.com', 'john@example..com', 'john@exa_mple.com',
	'john@example.123', 'john@@example.com', '"john"@example.com',
	'john@[127.0.0.1]', 'jo\u0001hn@example.com',
	'a'.repeat(65) + '@example.com',
	'a'.repeat(64) + '@' + ('b'.repeat(63) + '.').repeat(3) + 'com',
]) {
	test(`email_${JSON.stringify(bad.length > 40 ? bad.slice(0, 20) + '…(' + bad.length + ')' : bad)}_answers_400_email_invalid`, async () => {
		expectError(await createJson({ name: 'Bad Email', email: bad }), 400,
		    'invalid_request_error', 'email_invalid', 'email');
	});
}

for (const bad of ['12345678', '+123', '+1234567', '+1234567890123456',
    '+0123456789', '+12a4567890', '++1234567890', '+1 234 567 89x',
    '+1_234_567_890', 'phone']) {
	test(`phone_${JSON.stringify(bad)}_answers_400_phone_invalid`, async () => {
		await refused({ name: 'Bad Phone', email: uniqEmail('bp'), phone: bad },
		    400, 'phone_invalid', 'phone');
	});
}

test('phone_of_8_and_15_digits_is_accepted', async () => {
	for (const phone of ['+12345678', '+123456789012345'])
		assert.equal(expectOk(await createJson({ name: 'P',
		    email: uniqEmail('p815'), phone })).phone, phone);
});

test('metadata_rejects_51st_key', async () => {
	const metadata = {};
	for (let i = 0; i < 51; i++)
		metadata[`k${i}`] = 'v';
	await refused({ name: 'M', email: uniqEmail('m51'), metadata }, 400,
	    'metadata_invalid', 'metadata');
});

test('metadata_rejects_41_character_key', async () => {
	await refused({ name: 'M', email: uniqEmail('m41'),
	    metadata: { ['k'.repeat(41)]: 'v' } }, 400, 'metadata_invalid', 'metadata');
});

test('metadata_rejects_501_character_value', async () => {
	await refused({ name: 'M', email: uniqEmail('m501'),
	    metadata: { k: 'v'.repeat(501) } }, 400, 'metadata_invalid', 'metadata');
});

test('metadata_rejects_a_number_value', async () => {
	await refused({ name: 'M', email: uniqEmail('mnum'),
	    metadata: { k: 5 } }, 400, 'metadata_invalid', 'metadata');
});

test('metadata_rejects_a_nested_object_value', async () => {
	await refused({ name: 'M', email: uniqEmail('mobj'),
	    metadata: { k: { a: 'b' } } }, 400, 'metadata_invalid', 'metadata');
});

test('metadata_form_rejects_51st_key', async () => {
	const email = uniqEmail('mf51');
	let form = `name=M&email=${encodeURIComponent(email)}`;
	for (let i = 0; i < 51; i++)
		form += `&metadata[k${i}]=v`;
	expectError(await createForm(form), 400, 'invalid_request_error',
	    'metadata_invalid', 'metadata');
	assert.equal(await countEmail(email), 0);
});

test('metadata_that_is_not_an_object_answers_400_metadata_invalid', async () => {
	// API.md "Errors": metadata problems are metadata_invalid.
	await refused({ name: 'M', email: uniqEmail('marr'), metadata: ['x'] }, 400,
	    'metadata_invalid', 'metadata');
});

test('unknown_json_parameter_answers_400_parameter_unknown', async () => {
	const e = await refused({ name: 'U', email: uniqEmail('unk'), foo: 'bar' },
	    400, 'parameter_unknown', 'foo');
	assert.match(e.message, /foo/);
});

test('unknown_form_parameter_answers_400_parameter_unknown', async () => {
	const email = uniqEmail('unkf');
	expectError(await createForm(`name=U&email=${encodeURIComponent(email)}&foo=bar`),
	    400, 'invalid_request_error', 'parameter_unknown', 'foo');
	assert.equal(await countEmail(email), 0);
});

test('duplicate_email_answers_409_with_existing_id', async () => {
	const email = uniqEmail('dup');
	const first = expectOk(await createJson({ name: 'First', email }));
	const e = expectError(await createJson({ name: 'Second', email }), 409,
	    'invalid_request_error', 'resource_already_exists', 'email');
	assert.equal(e.existing_id, first.id);
	assert.equal(await countEmail(email), 1);
});

test('duplicate_email_in_another_case_answers_409_with_existing_id', async () => {
	const email = uniqEmail('dupcase');
	const first = expectOk(await createJson({ name: 'First', email }));
	const e = expectError(await createJson({ name: 'Upper',
	    email: email.toUpperCase() }), 409,
	    'invalid_request_error', 'resource_already_exists', 'email');
	assert.equal(e.existing_id, first.id);
	assert.equal(await countEmail(email), 1);
});

test('duplicate_email_by_form_answers_409_with_existing_id', async () => {
	const email = uniqEmail('dupform');
	const first = expectOk(await createJson({ name: 'First', email }));
	const e = expectError(await createForm(`name=Form&email=${encodeURIComponent(email)}`),
	    409, 'invalid_request_error', 'resource_already_exists', 'email');
	assert.equal(e.existing_id, first.id);
});

test('email_is_allowed_again_after_the_first_customer_is_deleted', async () => {
	const email = uniqEmail('again');
	const first = expectOk(await createJson({ name: 'First', email }));
	expectOk(await call(`/v1/customers/${first.id}`,
	    { method: 'DELETE', key: acct.testKey }));
	const second = expectOk(await createJson({ name: 'Second',
	    email: email.toUpperCase() }));
	assert.notEqual(second.id, first.id);
	assert.equal(await countEmail(email), 1);
});

test('concurrent_creates_with_one_email_make_exactly_one_customer', async () => {
	const email = uniqEmail('race');
	const answers = await Promise.all(Array.from({ length: 10 },
	    (_, i) => createJson({ name: `Racer ${i}`, email })));
	const ok = answers.filter((r) => r.status === 200);
	assert.equal(ok.length, 1, answers.map((r) => r.status).join(','));
	for (const r of answers.filter((r) => r.status !== 200)) {
		const e = expectError(r, 409, 'invalid_request_error',
		    'resource_already_exists', 'email');
		assert.equal(e.existing_id, ok[0].json.id);
	}
	assert.equal(await countEmail(email), 1);
});
