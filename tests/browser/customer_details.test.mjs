// A customer's billing details and activity in the dashboard (issue 15):
// the Stripe fields edited on the customer's page and read back through
// the API, a bad value shown beside its field with nothing saved, and the
// Activity table listing the customer's events with what changed.
import assert from 'node:assert/strict';
import { api } from '../lib/stack.mjs';
import { useBrowser, dashTest, newUser, signIn, create } from './lib.mjs';

useBrowser();

dashTest('billing_details_are_edited_and_read_back', async ({ page }) => {
	const user = await newUser();
	const c = await create(user, '/v1/customers', { name: 'Details Person',
	    email: 'details@example.com' });
	await signIn(page, user, `#/customers/${c.id}`);
	const card = page.getByRole('region', { name: 'Billing details' });
	await card.waitFor();
	assert.equal(await card.getByLabel('Invoice prefix').inputValue(),
	    c.invoice_prefix);
	await card.getByLabel('Description').fill('Wholesale buyer');
	const addr = card.getByRole('group', { name: 'Address' });
	await addr.getByLabel('Address line 1').fill('1 Moi Avenue');
	await addr.getByLabel('City').fill('Nairobi');
	await addr.getByLabel('Postal code').fill('00100');
	await addr.getByLabel('Country (two letters)').fill('ke');
	await card.getByLabel('Preferred languages').fill('sw-KE, en');
	await card.getByRole('button', { name: 'Save details' }).click();
	await card.getByText(/^Saved at/).waitFor();
	const r = (await api(`/v1/customers/${c.id}`,
	    { key: user.account.testKey })).json;
	assert.equal(r.description, 'Wholesale buyer');
	assert.deepEqual(r.address, { city: 'Nairobi', country: 'KE',
	    line1: '1 Moi Avenue', line2: null, postal_code: '00100',
	    state: null });
	assert.deepEqual(r.preferred_locales, ['sw-KE', 'en']);
	assert.equal(r.shipping, null);

	/* Clearing the description unsets it; the rest stays. */
	await card.getByLabel('Description').fill('');
	await card.getByRole('button', { name: 'Save details' }).click();
	await card.getByText(/^Saved at/).waitFor();
	const r2 = (await api(`/v1/customers/${c.id}`,
	    { key: user.account.testKey })).json;
	assert.equal(r2.description, null);
	assert.deepEqual(r2.address, r.address);
});

dashTest('bad_postal_code_is_shown_beside_its_field', async ({ page }) => {
	const user = await newUser();
	const c = await create(user, '/v1/customers', { name: 'Postal Person',
	    email: 'postal@example.com' });
	await signIn(page, user, `#/customers/${c.id}`);
	const card = page.getByRole('region', { name: 'Billing details' });
	const addr = card.getByRole('group', { name: 'Address' });
	await addr.getByLabel('Postal code').fill('1234');
	await addr.getByLabel('Country (two letters)').fill('US');
	await card.getByRole('button', { name: 'Save details' }).click();
	const postal = addr.getByLabel('Postal code');
	await card.locator('.field-error').filter({ hasText: /postal_code/ })
	    .waitFor();
	assert.equal(await postal.getAttribute('aria-invalid'), 'true');
	assert.equal((await api(`/v1/customers/${c.id}`,
	    { key: user.account.testKey })).json.address, null);
}, { expectStatuses: [400] });

dashTest('activity_lists_the_customers_events', async ({ page }) => {
	const user = await newUser();
	const key = user.account.testKey;
	const c = await create(user, '/v1/customers', { name: 'Active Person',
	    email: 'active@example.com' });
	await api(`/v1/customers/${c.id}`, { method: 'POST', key,
	    json: { description: 'now described' } });
	const pay = await api('/v1/payments', { method: 'POST', key,
	    json: { amount: 990, currency: 'usd', customer: c.id } });
	assert.equal(pay.status, 200);
	await signIn(page, user, `#/customers/${c.id}`);
	const table = page.getByRole('table', { name: 'Activity' });
	await table.getByText('payment.succeeded').waitFor();
	const rows = table.locator('tbody tr');
	assert.equal(await rows.count(), 3);
	assert.match(await rows.nth(0).textContent(), /payment\.succeeded/);
	assert.match(await rows.nth(0).textContent(), new RegExp(pay.json.id));
	assert.match(await rows.nth(1).textContent(),
	    /customer\.updated.*Changed description/);
	assert.match(await rows.nth(2).textContent(), /customer\.created/);
});
