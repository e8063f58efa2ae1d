// The Customers page and a customer's page through the real dashboard in
// Chromium: the seed's "Via dashboard" steps (issue 6).
import assert from 'node:assert/strict';
import { api } from '../lib/stack.mjs';
import { useBrowser, dashTest, newUser, signIn, unique, create }
    from './lib.mjs';

useBrowser();

const makeCustomer = (user, fields) => create(user, '/v1/customers', fields);

async function createThroughForm(page, { name, email, phone }) {
	await page.getByRole('button', { name: 'Create Customer' }).click();
	const dlg = page.getByRole('dialog', { name: 'Create Customer' });
	await dlg.getByLabel('Name', { exact: true }).fill(name);
	await dlg.getByLabel('Email', { exact: true }).fill(email);
	if (phone)
		await dlg.getByLabel('Phone', { exact: true }).fill(phone);
	await dlg.getByRole('button', { name: 'Save', exact: true }).click();
	return dlg;
}

dashTest('create_customer_through_the_form', async ({ page }) => {
	const user = await newUser();
	await signIn(page, user);
	const name = unique('Grace Akinyi');
	await createThroughForm(page, { name, email: 'grace@example.com',
	    phone: '+254 712 345 678' });
	await page.getByRole('heading', { name, level: 1 }).waitFor();
	const r = await api('/v1/customers?email=grace@example.com',
	    { key: user.account.testKey });
	assert.equal(r.json.data.length, 1);
	assert.equal(r.json.data[0].name, name);
	assert.equal(r.json.data[0].phone, '+254712345678');
	assert.match(page.url(), new RegExp(`#/customers/${r.json.data[0].id}$`));
	/* And it is in the list. */
	await page.getByRole('link', { name: '← Customers' }).click();
	await page.getByRole('link', { name }).waitFor();
});

dashTest('duplicate_email_shows_the_api_message_beside_the_email_field',
    async ({ page }) => {
	const user = await newUser();
	const first = await makeCustomer(user, { name: 'First',
	    email: 'taken@example.com' });
	await signIn(page, user);
	const dlg = await createThroughForm(page, { name: 'Second',
	    email: 'TAKEN@example.com' });
	const email = dlg.getByLabel('Email', { exact: true });
	const described = await email.getAttribute('aria-describedby');
	const errorId = described.split(' ').find((id) => id.endsWith('-error'));
	const error = dlg.locator(`[id="${errorId}"]`);
	await error.filter({ hasText: first.id }).waitFor();
	const direct = await api('/v1/customers', { method: 'POST', key: user.account.testKey,
	    json: { name: 'Second', email: 'TAKEN@example.com' } });
	assert.equal(direct.status, 409);
	assert.equal(await error.textContent(), direct.json.error.message);
	assert.equal(await email.getAttribute('aria-invalid'), 'true');
	assert.ok(await dlg.isVisible(), 'the form stays open');
	const r = await api('/v1/customers', { key: user.account.testKey });
	assert.equal(r.json.data.length, 1, 'nothing was created');
}, { expectStatuses: [409] });

dashTest('search_finds_the_customer_by_typing_part_of_its_name',
    async ({ page }) => {
	const user = await newUser();
	const tag = unique('Zawadi').split(' ')[1];
	await makeCustomer(user, { name: `Zawadi ${tag} Otieno`,
	    email: 'zawadi@example.com' });
	await makeCustomer(user, { name: 'Someone Else',
	    email: 'else@example.com' });
	await signIn(page, user);
	await page.getByRole('link', { name: 'Someone Else' }).waitFor();
	const searches = [];
	page.on('request', (r) => {
		if (r.url().includes('/v1/customers/search'))
			searches.push(new URL(r.url()).searchParams.get('query'));
	});
	await page.getByRole('searchbox', { name: /Search/ })
	    .pressSequentially(`awadi ${tag.slice(0, 4)}`, { delay: 40 });
	await page.getByRole('link', { name: `Zawadi ${tag} Otieno` }).waitFor();
	await page.getByRole('link', { name: 'Someone Else' })
	    .waitFor({ state: 'detached' });
	/* Debounced: one search for the whole word, not one per key. */
	assert.ok(searches.length >= 1 && searches.length <= 3,
	    `searches: ${JSON.stringify(searches)}`);
	assert.equal(searches.at(-1), `awadi ${tag.slice(0, 4)}`);
	/* An empty box lists everyone again. */
	await page.getByRole('searchbox', { name: /Search/ }).fill('');
	await page.getByRole('link', { name: 'Someone Else' }).waitFor();
});

dashTest('edit_and_save_changes_are_read_back_through_the_api',
    async ({ page }) => {
	const user = await newUser();
	const c = await makeCustomer(user, { name: 'Old Name',
	    email: 'old@example.com', metadata: { plan: 'pro' } });
	await signIn(page, user, `#/customers/${c.id}`);
	await page.getByRole('heading', { name: 'Old Name', level: 1 }).waitFor();
	await page.getByText('plan').waitFor();		/* metadata shown */
	const profile = page.getByRole('region', { name: 'Profile' });
	/* A bad phone: the API's message beside Phone, nothing saved. */
	await profile.getByLabel('Phone', { exact: true }).fill('12345');
	await profile.getByRole('button', { name: 'Save changes' }).click();
	await profile.locator('.field-error').filter({ hasText: /phone/i })
	    .waitFor();
	assert.equal(await profile.getByLabel('Phone', { exact: true })
	    .getAttribute('aria-invalid'), 'true');
	assert.equal((await api(`/v1/customers/${c.id}`,
	    { key: user.account.testKey })).json.phone, null);

	await profile.getByLabel('Name', { exact: true }).fill('New Name');
	await profile.getByLabel('Email', { exact: true }).fill('new@example.com');
	await profile.getByLabel('Phone', { exact: true }).fill('+1 415 555 0100');
	await profile.getByRole('button', { name: 'Save changes' }).click();
	await profile.getByText(/^Saved at/).waitFor();
	await page.getByRole('heading', { name: 'New Name', level: 1 }).waitFor();
	const r = await api(`/v1/customers/${c.id}`, { key: user.account.testKey });
	assert.equal(r.json.name, 'New Name');
	assert.equal(r.json.email, 'new@example.com');
	assert.equal(r.json.phone, '+14155550100');
	assert.deepEqual(r.json.metadata, { plan: 'pro' });
}, { expectStatuses: [400] });

dashTest('delete_customer_after_confirmation_keeps_its_payments',
    async ({ page }) => {
	const user = await newUser();
	const c = await makeCustomer(user, { name: 'Leaving Soon',
	    email: 'leaving@example.com' });
	const pay = await api('/v1/payments', { method: 'POST', key: user.account.testKey,
	    json: { amount: 4200, currency: 'usd', customer: c.id } });
	assert.equal(pay.status, 200);
	await signIn(page, user, `#/customers/${c.id}`);
	await page.getByRole('heading', { name: 'Leaving Soon', level: 1 }).waitFor();

	/* Cancel first: nothing happens. */
	await page.getByRole('button', { name: 'Delete customer' }).click();
	let dlg = page.getByRole('dialog');
	await dlg.getByText('Past payments are kept').waitFor();
	await dlg.getByRole('button', { name: 'Cancel' }).click();
	assert.equal((await api(`/v1/customers/${c.id}`,
	    { key: user.account.testKey })).status, 200);

	await page.getByRole('button', { name: 'Delete customer' }).click();
	dlg = page.getByRole('dialog');
	await dlg.getByRole('button', { name: 'Delete customer' }).click();
	await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
	await page.getByText('No customers yet').waitFor();
	const gone = await api(`/v1/customers/${c.id}`,
	    { key: user.account.testKey });
	assert.equal(gone.status, 404);
	const kept = await api(`/v1/payments?customer=${c.id}`,
	    { key: user.account.testKey });
	assert.deepEqual(kept.json.data.map((p) => p.id), [pay.json.id]);
});

dashTest('keyboard_tab_to_search_and_to_a_row_then_enter_opens_it',
    async ({ page }) => {
	const user = await newUser();
	const c = await makeCustomer(user, { name: 'Keyboard Kamau',
	    email: 'kamau@example.com' });
	await signIn(page, user);
	await page.getByRole('link', { name: 'Keyboard Kamau' }).waitFor();
	await page.locator('body').click({ position: { x: 1, y: 1 } });
	const focused = () => page.evaluate(() => {
		const e = document.activeElement;
		return { label: e.getAttribute('aria-label'), text: e.textContent,
		    inTable: Boolean(e.closest('table')),
		    outline: getComputedStyle(e).outlineStyle };
	});
	let f;
	for (let i = 0; i < 30; i++) {
		await page.keyboard.press('Tab');
		f = await focused();
		if (/Search/.test(f.label || ''))
			break;
	}
	assert.match(f.label, /Search/, 'Tab reaches the search box');
	for (let i = 0; i < 10 && !f.inTable; i++) {
		await page.keyboard.press('Tab');
		f = await focused();
	}
	assert.ok(f.inTable, 'Tab reaches a row');
	assert.equal(f.text, 'Keyboard Kamau');
	assert.notEqual(f.outline, 'none', 'the focus is visible');
	await page.keyboard.press('Enter');
	await page.getByRole('heading', { name: 'Keyboard Kamau', level: 1 })
	    .waitFor();
	assert.match(page.url(), new RegExp(`#/customers/${c.id}$`));
	/* Back returns to the list. */
	await page.goBack();
	await page.getByRole('link', { name: 'Keyboard Kamau' }).waitFor();
});

dashTest('narrow_360px_layout_puts_the_sidebar_above_the_content',
    async ({ page }) => {
	const user = await newUser();
	for (const [n, e] of [['Amani Njoroge', 'amani'], ['Baraka Mwangi', 'baraka'],
	    ['Chebet Rotich', 'chebet']])
		await makeCustomer(user, { name: n, email: `${e}@example.com`,
		    phone: '+254712345678' });
	await signIn(page, user);
	await page.getByRole('link', { name: 'Chebet Rotich' }).waitFor();
	const box = async (sel) => page.locator(sel).first().boundingBox();
	const nav = await box('nav.sidebar');
	const main = await box('main');
	assert.ok(nav.y + nav.height <= main.y + 1, 'sidebar above the content');
	assert.ok(nav.width <= 360 && main.width <= 360);
	const scroll = await page.evaluate(() =>
	    document.documentElement.scrollWidth);
	assert.ok(scroll <= 360, `no sideways scrolling (${scroll} px)`);
	assert.ok(await page.getByRole('searchbox', { name: /Search/ }).isVisible());
}, { viewport: { width: 360, height: 740 } });
