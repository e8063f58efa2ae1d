// A customer's analytics and volume chart in the dashboard after payments
// made through the API with the account's key (seed "Customer analytics").
import assert from 'node:assert/strict';
import { api } from '../lib/stack.mjs';
import { useBrowser, dashTest, newUser, signIn, create } from './lib.mjs';

useBrowser();

dashTest('analytics_and_chart_after_payments_through_the_api',
    async ({ page }) => {
	const user = await newUser();
	const key = user.account.testKey;
	const c = await create(user, '/v1/customers',
	    { name: 'Wanjiku Analytics', email: 'wanjiku@example.com' });
	const paid = [];
	for (const [amount, currency] of [[2500, 'usd'], [5000, 'usd'],
	    [150000, 'kes'], [1000, 'jpy']])
		paid.push(await create(user, '/v1/payments',
		    { amount, currency, customer: c.id }));
	await create(user, '/v1/refunds', { payment: paid[0].id, amount: 1000 });
	const declined = await api('/v1/payments', { method: 'POST', key, json: { amount: 999,
	    currency: 'usd', customer: c.id, payment_method: 'pm_card_chargeDeclined' } });
	assert.equal(declined.status, 402);
	const a = (await api(`/v1/customers/${c.id}/analytics`, { key })).json;

	await signIn(page, user, `#/customers/${c.id}`);
	const stats = page.getByRole('region', { name: 'Analytics' });
	const stat = (label) => stats.locator('.stat').filter({
	    has: page.locator('dt', { hasText: label }) }).locator('dd');
	await stat('Total payments').waitFor();
	assert.match(await stat('Total payments').textContent(),
	    new RegExp(`^${a.total_payments}\\b`));
	assert.equal(a.total_payments, 4);
	const volume = (await stat('Total volume').textContent()).replace(/\s/g, ' ');
	for (const v of ['$75.00', 'KES 1,500.00', '¥1,000'])
		assert.ok(volume.includes(v), `${v} in "${volume}"`);
	/* A partial refund: the gross volume stays, refunded and net show. */
	assert.ok((await stat('Refunded').textContent()).includes('$10.00'));
	assert.ok((await stat('Net volume').textContent()).includes('$65.00'));
	const average = await stat('Average transaction').textContent();
	assert.ok(average.includes('$37.50'), average);
	const last = await stat('Last payment').textContent();
	const today = new Date().toLocaleDateString('en-US',
	    { dateStyle: 'medium', timeZone: 'UTC' });
	assert.ok(last.includes(today), `${today} in "${last}"`);

	/* The chart: uPlot drew a canvas for the default currency. */
	await stats.locator('.uplot canvas').first().waitFor();
	const v = (await api(`/v1/customers/${c.id}/analytics/volume`, { key })).json;
	assert.ok(v.data.length >= 1);
	await stats.getByText(`Volume (${v.currency.toUpperCase()})`).waitFor();
	/* Switching currency draws that currency's bars. */
	await stats.getByLabel('Currency').selectOption('usd');
	await stats.getByText('Volume (USD)').waitFor();
	await stats.getByText('Show the numbers').click();
	await stats.getByRole('cell', { name: '$75.00' }).waitFor();
	/* The payments table lists all five, declined one included. */
	const payments = page.getByRole('region', { name: 'Payments' });
	await payments.getByText('card declined').waitFor();
	await payments.getByText('$10.00 refunded').waitFor();
	assert.equal(await payments.locator('tbody tr').count(), 5);
});

dashTest('a_customer_without_payments_shows_an_empty_chart_state',
    async ({ page }) => {
	const user = await newUser();
	const c = await create(user, '/v1/customers',
	    { name: 'No Payments Yet', email: 'none@example.com' });
	await signIn(page, user, `#/customers/${c.id}`);
	const stats = page.getByRole('region', { name: 'Analytics' });
	await stats.getByText('No payments yet, so there is no volume').waitFor();
	assert.equal(await stats.locator('canvas').count(), 0);
});
