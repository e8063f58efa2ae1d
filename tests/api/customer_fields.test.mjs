// Stripe's customer fields (issue 15): description, address, shipping,
// preferred_locales, invoice_prefix and tax ids, sent as JSON and as
// bracket forms, returned on every customer object, unset with "", and
// each bad value refused with the documented error and nothing changed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail } from '../lib/openapi.mjs';

let acct;
before(async () => { acct = await newAccount('api-customer-fields'); });

const create = (json) => call('/v1/customers', { method: 'POST',
    key: acct.testKey, json: { name: 'Fields', email: uniqEmail('fld'),
    ...json } });
const createForm = (form) => call('/v1/customers', { method: 'POST',
    key: acct.testKey, form: `name=Form&email=${uniqEmail('fldf')}&${form}` });
const update = (id, json) => call(`/v1/customers/${id}`,
    { method: 'POST', key: acct.testKey, json });
const updateForm = (id, form) => call(`/v1/customers/${id}`,
    { method: 'POST', key: acct.testKey, form });
const get = async (id) =>
    expectOk(await call(`/v1/customers/${id}`, { key: acct.testKey }));

const ADDRESS = { line1: '1 Moi Avenue', line2: 'Floor 3', city: 'Nairobi',
    state: 'Nairobi County', postal_code: '00100', country: 'KE' };
const full = (a) => ({ city: null, country: null, line1: null, line2: null,
    postal_code: null, state: null, ...a });

test('new_fields_are_null_or_empty_when_not_given', async () => {
	const c = expectOk(await create({}));
	assert.equal(c.description, null);
	assert.equal(c.address, null);
	assert.equal(c.shipping, null);
	assert.deepEqual(c.preferred_locales, []);
	assert.match(c.invoice_prefix, /^[A-Z0-9]{8}$/);
});

test('json_round_trip_of_every_field', async () => {
	const body = { description: 'VIP — pays on time',
	    address: ADDRESS,
	    shipping: { name: 'Wanjiru', phone: '+254 700 000 123',
	    address: { line1: '2 Kenyatta Ave', city: 'Nairobi',
	    country: 'ke', postal_code: '00200' } },
	    preferred_locales: ['sw-KE', 'en'], invoice_prefix: 'ACME2024' };
	const c = expectOk(await create(body));
	assert.equal(c.description, body.description);
	assert.deepEqual(c.address, full(ADDRESS));
	assert.deepEqual(c.shipping, { address: full({ line1: '2 Kenyatta Ave',
	    city: 'Nairobi', country: 'KE', postal_code: '00200' }),
	    name: 'Wanjiru', phone: '+254700000123' });
	assert.deepEqual(c.preferred_locales, ['sw-KE', 'en']);
	assert.equal(c.invoice_prefix, 'ACME2024');
	assert.deepEqual(await get(c.id), c);
});

test('form_round_trip_with_brackets', async () => {
	const c = expectOk(await createForm('description=From+a+form' +
	    '&address[line1]=10+Downing+St&address[city]=London' +
	    '&address[postal_code]=SW1A+2AA&address[country]=GB' +
	    '&shipping[name]=PM&shipping[address][country]=US' +
	    '&shipping[address][postal_code]=94107-1234' +
	    '&preferred_locales[0]=en-GB&preferred_locales[1]=fr'));
	assert.equal(c.description, 'From a form');
	assert.deepEqual(c.address, full({ line1: '10 Downing St',
	    city: 'London', postal_code: 'SW1A 2AA', country: 'GB' }));
	assert.deepEqual(c.shipping, { address: full({ country: 'US',
	    postal_code: '94107-1234' }), name: 'PM', phone: null });
	assert.deepEqual(c.preferred_locales, ['en-GB', 'fr']);
	assert.deepEqual(await get(c.id), c);
});

test('update_sets_and_empty_string_unsets', async () => {
	const c = expectOk(await create({ description: 'd', address: ADDRESS,
	    shipping: { name: 'S', address: ADDRESS },
	    preferred_locales: ['en'] }));
	const u = expectOk(await updateForm(c.id, 'description=&address=' +
	    '&shipping=&preferred_locales='));
	assert.equal(u.description, null);
	assert.equal(u.address, null);
	assert.equal(u.shipping, null);
	assert.deepEqual(u.preferred_locales, []);
	assert.equal(u.invoice_prefix, c.invoice_prefix);
	assert.deepEqual(await get(c.id), u);
	const v = expectOk(await update(c.id, { address: { city: 'Mombasa' },
	    description: 'again' }));
	assert.deepEqual(v.address, full({ city: 'Mombasa' }));
	assert.equal(v.description, 'again');
	const w = expectOk(await update(c.id, { address: null,
	    description: null }));
	assert.equal(w.address, null);
	assert.equal(w.description, null);
});

test('update_leaves_fields_not_sent', async () => {
	const c = expectOk(await create({ description: 'keep', address: ADDRESS,
	    preferred_locales: ['de'] }));
	const u = expectOk(await update(c.id, { name: 'Renamed' }));
	assert.equal(u.description, 'keep');
	assert.deepEqual(u.address, c.address);
	assert.deepEqual(u.preferred_locales, ['de']);
	assert.equal(u.invoice_prefix, c.invoice_prefix);
});

// Each refused value: its error and param, then the customer unchanged.
const BAD = [
	['address_country_not_iso', { address: { country: 'XX' } },
	    'parameter_invalid', 'address[country]'],
	['address_country_three_letters', { address: { country: 'KEN' } },
	    'parameter_invalid', 'address[country]'],
	['address_us_postal_code', { address: { country: 'US',
	    postal_code: '1234' } }, 'parameter_invalid', 'address[postal_code]'],
	['address_gb_postal_code', { address: { country: 'GB',
	    postal_code: '12345' } }, 'parameter_invalid', 'address[postal_code]'],
	['address_ca_postal_code', { address: { country: 'CA',
	    postal_code: 'D1A 1A1' } }, 'parameter_invalid',
	    'address[postal_code]'],
	['address_de_postal_code', { address: { country: 'DE',
	    postal_code: '1011' } }, 'parameter_invalid', 'address[postal_code]'],
	['address_unknown_key', { address: { street: 'x' } },
	    'parameter_unknown', 'address[street]'],
	['address_not_an_object', { address: 'Nairobi' },
	    'parameter_invalid', 'address'],
	['address_line_not_a_string', { address: { line1: 5 } },
	    'parameter_invalid', 'address[line1]'],
	['address_line_too_long', { address: { line1: 'x'.repeat(5001) } },
	    'parameter_invalid', 'address[line1]'],
	['address_control_character', { address: { city: 'a\u0007b' } },
	    'parameter_invalid', 'address[city]'],
	['shipping_without_name', { shipping: { address: ADDRESS } },
	    'parameter_missing', 'shipping[name]'],
	['shipping_without_address', { shipping: { name: 'N' } },
	    'parameter_missing', 'shipping[address]'],
	['shipping_bad_phone', { shipping: { name: 'N', phone: '12',
	    address: ADDRESS } }, 'phone_invalid', 'shipping[phone]'],
	['shipping_bad_country', { shipping: { name: 'N',
	    address: { country: 'ZZ' } } }, 'parameter_invalid',
	    'shipping[address][country]'],
	['locales_bad_tag', { preferred_locales: ['english'] },
	    'parameter_invalid', 'preferred_locales'],
	['locales_not_a_list', { preferred_locales: 'en' },
	    'parameter_invalid', 'preferred_locales'],
	['locales_eleven', { preferred_locales: Array(11).fill('en') },
	    'parameter_invalid', 'preferred_locales'],
	['invoice_prefix_lowercase', { invoice_prefix: 'acme' },
	    'parameter_invalid', 'invoice_prefix'],
	['invoice_prefix_too_short', { invoice_prefix: 'AB' },
	    'parameter_invalid', 'invoice_prefix'],
	['invoice_prefix_too_long', { invoice_prefix: 'ABCDEFGHIJKLM' },
	    'parameter_invalid', 'invoice_prefix'],
	['invoice_prefix_unset', { invoice_prefix: '' },
	    'parameter_invalid', 'invoice_prefix'],
	['description_too_long', { description: 'd'.repeat(5001) },
	    'parameter_invalid', 'description'],
];
for (const [name, body, code, param] of BAD) {
	test(`update_refuses_${name}`, async () => {
		const c = expectOk(await create({ description: 'before',
		    address: ADDRESS, preferred_locales: ['en'] }));
		expectError(await update(c.id, body), 400,
		    'invalid_request_error', code, param);
		assert.deepEqual(await get(c.id), c, 'a refused update changed it');
	});
}

test('create_refuses_a_bad_field_and_stores_nothing', async () => {
	const email = uniqEmail('fldbad');
	expectError(await call('/v1/customers', { method: 'POST',
	    key: acct.testKey, json: { name: 'N', email,
	    address: { country: 'QQ' } } }), 400, 'invalid_request_error',
	    'parameter_invalid', 'address[country]');
	const l = expectOk(await call('/v1/customers?email=' +
	    encodeURIComponent(email), { key: acct.testKey }));
	assert.equal(l.data.length, 0);
});

test('postal_codes_of_known_formats_pass', async () => {
	for (const [country, postal_code] of [['US', '94107'],
	    ['US', '94107-1234'], ['GB', 'sw1a 1aa'], ['CA', 'K1A 0B1'],
	    ['DE', '10115'], ['FR', '75008'], ['NL', '1012 AB'],
	    ['JP', '100-0001'], ['IN', '110001'], ['AU', '2000'],
	    ['BR', 'anything: no rule here']])
		expectOk(await create({ address: { country, postal_code } }));
});

test('search_keeps_stripes_fields_only', async () => {
	// Stripe's customer search has no description field.
	expectError(await call('/v1/customers/search?query=' +
	    encodeURIComponent("description:'x'"), { key: acct.testKey }), 400,
	    'invalid_request_error', 'parameter_invalid', 'query');
});
