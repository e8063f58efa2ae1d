// "Possible duplicates" through the real dashboard in Chromium (issue 15
// "Duplicates found and merged"): reached from the Customers page, the
// groups with why they matched, and a merge that asks first, then moves
// the customer's payments and refreshes the page.
import assert from 'node:assert/strict';
import { api } from '../lib/stack.mjs';
import { useBrowser, dashTest, newUser, signIn, create } from './lib.mjs';

useBrowser();

dashTest('possible_duplicates_lists_groups_and_merges_after_confirmation',
    async ({ page }) => {
	const user = await newUser();
	const key = user.account.testKey;
	const kept = await create(user, '/v1/customers', { name: 'Wanjiru Kamau',
	    email: 'wanjiru.kamau@gmail.com' });
	const twin = await create(user, '/v1/customers', { name: 'W. Kamau',
	    email: 'WanjiruKamau+shop@googlemail.com', phone: '+254711000222' });
	const pay = await create(user, '/v1/payments', { amount: 1200,
	    currency: 'kes', customer: twin.id });
	await signIn(page, user);
	await page.getByRole('link', { name: 'Possible duplicates' }).click();
	await page.getByRole('heading', { name: 'Possible duplicates',
	    level: 1 }).waitFor();
	const section = page.locator('section.dup-group');
	await section.getByRole('heading',
	    { name: 'Same email: wanjirukamau@gmail.com' }).waitFor();
	assert.equal(await section.count(), 1);
	await section.getByRole('link', { name: 'Wanjiru Kamau' }).waitFor();
	await section.getByRole('link', { name: 'W. Kamau' }).waitFor();

	/* Cancel first: nothing happens. */
	const merge = section.getByRole('button',
	    { name: 'Merge into Wanjiru Kamau' });
	await merge.click();
	let dlg = page.getByRole('dialog', { name: 'Merge customers?' });
	await dlg.getByText('cannot be undone').waitFor();
	await dlg.getByRole('button', { name: 'Cancel' }).click();
	assert.equal((await api(`/v1/customers/${twin.id}`, { key })).status,
	    200);

	await merge.click();
	dlg = page.getByRole('dialog', { name: 'Merge customers?' });
	await dlg.getByRole('button', { name: 'Merge', exact: true }).click();
	await page.getByText('No possible duplicates.').waitFor();
	assert.equal(await section.count(), 0);
	assert.equal((await api(`/v1/customers/${twin.id}`, { key })).status,
	    404);
	const moved = await api(`/v1/payments?customer=${kept.id}`, { key });
	assert.deepEqual(moved.json.data.map((p) => p.id), [pay.id]);
	const survivor = await api(`/v1/customers/${kept.id}`, { key });
	assert.equal(survivor.json.phone, '+254711000222');

	/* The survivor's page shows the moved payment. */
	await page.goto(page.url().replace(/#.*$/, `#/customers/${kept.id}`));
	await page.getByRole('heading', { name: 'Wanjiru Kamau', level: 1 })
	    .waitFor();
	const rows = page.getByRole('table', { name: 'Payments' })
	    .locator('tbody tr');
	await rows.first().waitFor();
	assert.equal(await rows.count(), 1);
});

dashTest('possible_duplicates_pages_through_groups', async ({ page }) => {
	const user = await newUser();
	for (let i = 0; i < 12; i++) {
		const phone = `+2547220000${String(i).padStart(2, '0')}`;
		for (const n of ['A', 'B'])
			await create(user, '/v1/customers', { name: `${n}${i}`,
			    email: `${n.toLowerCase()}${i}@example.com`, phone });
	}
	await signIn(page, user, '#/customers/duplicates');
	await page.getByText('10 groups on this page.').waitFor();
	await page.getByRole('heading', { name: 'Same phone: 254722000000' })
	    .waitFor();
	await page.getByRole('button', { name: 'Next' }).click();
	await page.getByText('2 groups on this page.').waitFor();
	await page.getByRole('heading', { name: 'Same phone: 254722000011' })
	    .waitFor();
	assert.ok(await page.getByRole('button', { name: 'Next' }).isDisabled());
	await page.getByRole('button', { name: 'Previous' }).click();
	await page.getByText('10 groups on this page.').waitFor();
});
