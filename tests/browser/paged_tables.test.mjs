// The paged tables (nginx/dashboard/pager.js pagedTable): a customer's
// payments page by page with Next and Previous, and the Subscriptions and
// Webhooks pages listing what the API made.
import assert from 'node:assert/strict';
import { useBrowser, dashTest, newUser, signIn, create } from './lib.mjs';

useBrowser();

dashTest('customer_payments_page_with_next_and_previous', async ({ page }) => {
	const user = await newUser();
	const c = await create(user, '/v1/customers',
	    { name: 'Paged Payments', email: 'paged@example.com' });
	for (let i = 1; i <= 12; i++)
		await create(user, '/v1/payments',
		    { amount: i * 100, currency: 'usd', customer: c.id });
	await signIn(page, user, `#/customers/${c.id}`);
	const payments = page.getByRole('region', { name: 'Payments' });
	const rows = payments.locator('tbody tr');
	const prev = payments.getByRole('button', { name: 'Previous' });
	const next = payments.getByRole('button', { name: 'Next' });
	/* Newest first: $12.00 down to $3.00, then $2.00 and $1.00. */
	await payments.getByRole('cell', { name: '$12.00' }).waitFor();
	assert.equal(await rows.count(), 10);
	assert.ok(await prev.isDisabled());
	await next.click();
	await payments.getByRole('cell', { name: '$1.00' }).waitFor();
	assert.equal(await rows.count(), 2);
	assert.ok(await next.isDisabled());
	await prev.click();
	await payments.getByRole('cell', { name: '$12.00' }).waitFor();
	assert.equal(await rows.count(), 10);
	assert.ok(await prev.isDisabled());
});

dashTest('subscriptions_and_webhooks_pages_list_what_the_api_made',
    async ({ page }) => {
	const user = await newUser();
	const c = await create(user, '/v1/customers',
	    { name: 'Paged Subscriber', email: 'sub@example.com' });
	const price = await create(user, '/v1/prices', { unit_amount: 900,
	    currency: 'usd', recurring: { interval: 'month' } });
	const s = await create(user, '/v1/subscriptions',
	    { customer: c.id, price: price.id });
	await create(user, '/v1/webhook_endpoints',
	    { url: 'https://example.com/hooks', enabled_events: ['*'] });

	await signIn(page, user, '#/subscriptions');
	const subs = page.getByRole('table', { name: 'Subscriptions' });
	await subs.getByRole('cell', { name: s.id }).waitFor();
	assert.equal(await subs.locator('tbody tr').count(), 1);
	await subs.getByText('active').waitFor();

	await page.goto(page.url().replace(/#.*/, '#/webhooks'));
	const hooks = page.getByRole('table', { name: 'Webhooks' });
	await hooks.getByRole('cell', { name: 'https://example.com/hooks' })
	    .waitFor();
	assert.equal(await hooks.locator('tbody tr').count(), 1);
});

dashTest('a_customer_page_follows_has_more_past_100_methods_and_10_subscriptions',
    async ({ page }) => {
	const user = await newUser();
	const c = await create(user, '/v1/customers',
	    { name: 'Many Methods', email: 'many@example.com' });
	for (let i = 0; i < 101; i++)
		await create(user, `/v1/customers/${c.id}/payment_methods`,
		    { payment_method: 'pm_card_visa' });
	const price = await create(user, '/v1/prices', { unit_amount: 500,
	    currency: 'usd', recurring: { interval: 'month' } });
	const subs = [];
	for (let i = 0; i < 11; i++)
		subs.push((await create(user, '/v1/subscriptions',
		    { customer: c.id, price: price.id })).id);
	await signIn(page, user, `#/customers/${c.id}`);
	const methods = page.getByRole('region', { name: 'Payment methods' });
	await methods.locator('li').nth(100).waitFor();
	assert.equal(await methods.locator('li').count(), 101);

	const region = page.getByRole('region', { name: 'Subscriptions' });
	const rows = region.locator('tbody tr');
	await region.getByRole('cell', { name: subs[10] }).waitFor();
	assert.equal(await rows.count(), 10);
	await region.getByRole('button', { name: 'Next' }).click();
	await region.getByRole('cell', { name: subs[0] }).waitFor();
	assert.equal(await rows.count(), 1);
	assert.ok(await region.getByRole('button', { name: 'Next' }).isDisabled());
});
