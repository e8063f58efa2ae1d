// The API keys page: a new secret is shown once (never stored in the
// browser), the list shows keys redacted, revoking asks first (dashboard
// contract "API keys page").
import assert from 'node:assert/strict';
import { api } from '../lib/stack.mjs';
import { useBrowser, dashTest, newUser, signIn } from './lib.mjs';

useBrowser();

dashTest('api_keys_page_shows_a_new_secret_once_and_not_after_reload',
    async ({ page }) => {
	const user = await newUser();
	await signIn(page, user, '#/api-keys');
	await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
	await page.getByRole('button', { name: 'Create secret key' }).click();
	const secretEl = page.locator('#new-secret');
	await secretEl.waitFor();
	const secret = (await secretEl.textContent()).trim();
	assert.match(secret, /^sk_test_[0-9A-Za-z]+$/);
	await page.getByText('this is the only time it is shown').waitFor();
	await page.getByRole('button', { name: 'Copy' }).waitFor();

	/* The key works, and the browser keeps it nowhere. */
	assert.equal((await api('/v1/customers', { key: secret })).status, 200);
	const stored = await page.evaluate(() => JSON.stringify({
		local: { ...localStorage }, session: { ...sessionStorage },
		url: location.href, cookie: document.cookie }));
	assert.ok(!stored.includes(secret), stored);
	/* The list shows it redacted: its last four only. */
	const row = page.locator('tbody tr').filter({ hasText: secret.slice(-4) });
	await row.first().waitFor();
	assert.ok(!(await page.locator('tbody').textContent()).includes(secret));

	await page.reload();
	await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
	await page.locator('tbody tr').filter({ hasText: secret.slice(-4) })
	    .first().waitFor();
	assert.ok(!(await page.content()).includes(secret),
	    'the secret is not shown again');
	assert.equal(await page.locator('#new-secret').count(), 0);

	/* Revoke it, after a confirmation: the key then stops working. */
	await page.locator('tbody tr').filter({ hasText: secret.slice(-4) })
	    .getByRole('button', { name: 'Revoke' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' })
	    .click();
	/* Listed as revoked, or no longer listed: not active any more. */
	await page.locator('tbody tr').filter({ hasText: secret.slice(-4) })
	    .filter({ hasText: 'active' }).waitFor({ state: 'detached' });
	let status;
	for (let i = 0; i < 40; i++) {	/* the key cache may hold it a moment */
		status = (await api('/v1/customers', { key: secret })).status;
		if (status === 401)
			break;
		await new Promise((r) => setTimeout(r, 250));
	}
	assert.equal(status, 401);
});
