// The API reference nginx serves: /openapi.yaml (the repository's file,
// as application/yaml) and /docs/, Swagger UI rendering it under the
// page's Content-Security-Policy (a violation is a console error, which
// fails the test), and the dashboard's link to it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SPEC_FILE } from '../lib/openapi.mjs';
import { useBrowser, dashTest, newUser, signIn, DASHBOARD } from './lib.mjs';

useBrowser();

const DOCS = new URL('/docs/', DASHBOARD).href;
const SPEC_URL = new URL('/openapi.yaml', DASHBOARD).href;

// Waits until Swagger UI has rendered the createCustomer operation.
async function createCustomerOp(page) {
	const op = page.locator('#operations-Customers-createCustomer');
	await op.waitFor();
	return op;
}

dashTest('openapi_yaml_is_served_as_the_repository_has_it', async () => {
	const res = await fetch(SPEC_URL);
	assert.equal(res.status, 200);
	assert.match(res.headers.get('content-type'),
	    /^application\/yaml; charset=utf-8$/);
	assert.equal(res.headers.get('cache-control'), 'no-cache');
	assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
	assert.equal(await res.text(), readFileSync(SPEC_FILE, 'utf8'));
	const docs = await fetch(DOCS);
	assert.equal(docs.status, 200);
	assert.match(docs.headers.get('content-security-policy'),
	    /default-src 'self'/);
	assert.doesNotMatch(docs.headers.get('content-security-policy'),
	    /unsafe-inline|unsafe-eval/);
	const bare = await fetch(new URL('/docs', DASHBOARD), {
	    redirect: 'manual' });
	assert.equal(bare.status, 301);
	assert.equal(bare.headers.get('location'), '/docs/');
});

dashTest('api_reference_renders_the_operations', async ({ page }) => {
	const loaded = [];
	page.on('response', (r) => loaded.push(new URL(r.url()).pathname));
	await page.goto(DOCS);
	await page.getByRole('heading', { name: /PesaSwap Customers API/ })
	    .waitFor();
	const op = await createCustomerOp(page);
	assert.match(await op.locator('.opblock-summary-method').innerText(),
	    /POST/);
	assert.equal(await op.locator('.opblock-summary-path').getAttribute(
	    'data-path'), '/v1/customers');
	assert.match(await op.innerText(), /Create a customer/);
	// Opened, it shows the operation's parameters and answers.
	await op.locator('.opblock-summary').click();
	await op.locator('.responses-wrapper').waitFor();
	assert.match(await op.locator('.responses-wrapper').innerText(),
	    /409/);
	// Every tag of the spec is a section; the payments list is there.
	await page.locator('#operations-Payments-listPayments').waitFor();
	await page.locator('#operations-Billing-createPaymentSchedule')
	    .waitFor();
	assert.ok(loaded.includes('/openapi.yaml'), loaded.join(' '));
	assert.ok(loaded.every((p) => p.startsWith('/docs/') ||
	    p === '/openapi.yaml' || p === '/dashboard/favicon.svg'),
	    `fetched elsewhere: ${loaded.join(' ')}`);
});

dashTest('dashboard_links_to_the_api_reference', async ({ page }) => {
	const user = await newUser('browser-docs');
	await signIn(page, user);
	const link = page.getByRole('navigation', { name: 'Dashboard' })
	    .getByRole('link', { name: 'API reference' });
	assert.equal(await link.getAttribute('href'), '/docs/');
	await link.click();
	await page.waitForURL(DOCS);
	await createCustomerOp(page);
	// and back to the dashboard from the reference's header
	await page.getByRole('link', { name: 'PesaSwap' }).click();
	await page.getByRole('button', { name: 'Sign out' }).waitFor();
});
