// The "Test data" switch: on (the default) the session sees test objects,
// off it sends PesaSwap-Mode: live and sees live ones (dashboard contract).
import assert from 'node:assert/strict';
import { api } from '../lib/stack.mjs';
import { useBrowser, dashTest, newUser, signIn } from './lib.mjs';

useBrowser();

dashTest('test_data_switch_off_shows_live_customers_only', async ({ page }) => {
	const user = await newUser();
	const t = await api('/v1/customers', { method: 'POST', key: user.account.testKey,
	    json: { name: 'Tess Testmode', email: 'tess@example.com' } });
	const l = await api('/v1/customers', { method: 'POST', key: user.account.liveKey,
	    json: { name: 'Liam Livemode', email: 'liam@example.com' } });
	assert.equal(t.status, 200);
	assert.equal(l.status, 200);
	const modes = [];
	page.on('request', (r) => {
		if (new URL(r.url()).pathname === '/v1/customers')
			modes.push(r.headers()['pesaswap-mode']);
	});
	await signIn(page, user);
	const toggle = page.getByRole('switch', { name: 'Test data' });
	assert.equal(await toggle.isChecked(), true, 'on by default');
	await page.locator('.test-banner').getByText('Test data').waitFor();
	await page.getByRole('link', { name: 'Tess Testmode' }).waitFor();
	assert.equal(await page.getByRole('link', { name: 'Liam Livemode' }).count(), 0);

	await toggle.uncheck();
	await page.getByRole('link', { name: 'Liam Livemode' }).waitFor();
	assert.equal(await page.getByRole('link', { name: 'Tess Testmode' }).count(), 0);
	assert.equal(await page.locator('.test-banner').isVisible(), false);
	assert.deepEqual(modes, ['test', 'live']);

	/* The live customer's page opens in live mode. */
	await page.getByRole('link', { name: 'Liam Livemode' }).click();
	await page.getByRole('heading', { name: 'Liam Livemode', level: 1 }).waitFor();

	await toggle.check();
	await page.getByRole('link', { name: 'Tess Testmode' }).waitFor();
	assert.ok(await page.locator('.test-banner').isVisible());
});
