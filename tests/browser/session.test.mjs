// Sign-in, sign-out and CSRF through the real dashboard in Chromium
// (dashboard contract "Endpoints", "Using the session").
import assert from 'node:assert/strict';
import { api } from '../lib/stack.mjs';
import { useBrowser, dashTest, newUser, signIn, sessionCookie,
    DASHBOARD } from './lib.mjs';

useBrowser();

dashTest('sign_in_shows_customers_and_wrong_password_shows_error',
    async ({ page }) => {
	const user = await newUser();
	await page.goto(DASHBOARD);
	await page.getByLabel('Email', { exact: true }).fill(user.email);
	await page.getByLabel('Password', { exact: true }).fill('not-the-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' })
	    .waitFor();
	assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);

	await page.getByLabel('Password', { exact: true }).fill(user.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
	await page.getByRole('navigation', { name: 'Dashboard' })
	    .getByRole('link', { name: 'Customers' }).waitFor();
	assert.match(page.url(), /#\/customers$/);
	assert.ok(await page.getByText(user.email).isVisible());
	await page.getByText('No customers yet').waitFor();
}, { expectStatuses: [401] });	/* the wrong password */

dashTest('signed_out_the_dashboard_opens_on_sign_in_with_an_empty_console',
    async ({ page }) => {
	const probe = page.waitForResponse((r) =>
	    new URL(r.url()).pathname === '/v1/dashboard/session');
	await page.goto(DASHBOARD);
	assert.equal((await probe).status(), 200);
	await page.getByRole('heading', { name: 'Sign in to your dashboard' })
	    .waitFor();
	/* dashTest asserts the console empty: no "Failed to load resource". */
});

dashTest('reload_keeps_the_session_and_writes_still_carry_the_token',
    async ({ page }) => {
	const user = await newUser();
	await signIn(page, user);
	await page.reload();
	await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
	/* A write after the reload works: the token came back from GET. */
	await page.getByRole('button', { name: 'Create Customer' }).click();
	await page.getByLabel('Name', { exact: true }).fill('After Reload');
	await page.getByLabel('Email', { exact: true }).fill('after.reload@example.com');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await page.getByRole('heading', { name: 'After Reload', level: 1 }).waitFor();
	const r = await api('/v1/customers?email=after.reload@example.com',
	    { key: user.account.testKey });
	assert.equal(r.json.data.length, 1);
});

dashTest('sign_out_ends_the_session_and_the_api_refuses_the_old_cookie',
    async ({ page, context }) => {
	const user = await newUser();
	await signIn(page, user);
	const cookie = await sessionCookie(context);
	assert.ok(cookie, 'sign-in set the pesaswap_session cookie');
	const before = await api('/v1/customers',
	    { headers: { cookie: `pesaswap_session=${cookie}` } });
	assert.equal(before.status, 200);

	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('button', { name: 'Sign in' }).waitFor();
	assert.equal(await sessionCookie(context), undefined);
	const old = { headers: { cookie: `pesaswap_session=${cookie}` } };
	const r = await api('/v1/customers', old);
	assert.equal(r.status, 401);
	assert.equal(r.json.error.code, 'session_invalid');
	assert.deepEqual((await api('/v1/dashboard/session', old)).json,
	    { object: 'dashboard_session', signed_in: false });
	/* And the page itself is signed out after a reload. */
	await page.reload();
	await page.getByRole('button', { name: 'Sign in' }).waitFor();
});

dashTest('csrf_write_without_the_token_is_refused_and_creates_nothing',
    async ({ page }) => {
	const user = await newUser();
	await signIn(page, user);
	const answers = await page.evaluate(async () => {
		const body = JSON.stringify({ name: 'Forged',
		    email: 'forged@example.com' });
		const out = [];
		for (const headers of [{ 'Content-Type': 'application/json' },
		    { 'Content-Type': 'application/json',
		      'X-CSRF-Token': 'A'.repeat(43) }]) {
			const r = await fetch('/v1/customers', { method: 'POST',
			    credentials: 'same-origin', headers, body });
			out.push({ status: r.status, json: await r.json() });
		}
		return out;
	});
	for (const a of answers) {
		assert.equal(a.status, 403);
		assert.equal(a.json.error.code, 'csrf_token_invalid');
	}
	const r = await api('/v1/customers?email=forged@example.com',
	    { key: user.account.testKey });
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.data, []);
}, { expectStatuses: [403, 403] });
