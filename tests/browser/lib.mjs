// Helpers for the browser suite: Debian's Chromium through playwright-core
// against the real stack's dashboard (PESASWAP_DASHBOARD_URL), a dashboard
// user per test, sign-in, and a screenshot per test in
// tests/output/screenshots/<test-name>.png.
//
// A test fails on any page error and any console error, except the
// browser's own "Failed to load resource: … status of N" lines for the
// HTTP statuses the test names as expected (an API answering 401 or 409 is
// the behaviour under test there, not a fault of the page).
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { env, newAccount } from '../lib/stack.mjs';
import { adminWithInput } from '../lib/dashboard.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'output',
    'screenshots');
export const DASHBOARD = env.PESASWAP_DASHBOARD_URL;

let browser = null;

/** Registers the launch and close of one browser for this file. */
export function useBrowser() {
	before(async () => {
		mkdirSync(SHOTS, { recursive: true });
		browser = await chromium.launch({
			executablePath: '/usr/bin/chromium',
			headless: true,
			args: ['--no-sandbox', '--disable-gpu',
			    '--disable-dev-shm-usage'],
		});
	});
	after(async () => {
		if (browser)
			await browser.close();
	});
}

/** A new account with a dashboard user: {account, email, password}. */
export async function newUser(name = 'browser') {
	const account = await newAccount(name);
	const email = `user-${randomBytes(6).toString('hex')}@example.com`;
	const password = randomBytes(12).toString('base64url');
	const r = await adminWithInput(['user', 'create', '--account',
	    account.id, '--email', email], `${password}\n`);
	if (r.code !== 0)
		throw new Error(`pesaswap-admin user create: ${r.stderr}`);
	return { account, email, password };
}

/**
 * dashTest(name, fn, {viewport, allowStatuses}): one test in a fresh
 * browser context (its own cookies). FN gets {page, context, problems}.
 * The screenshot is taken at the end, pass or fail, then the problems
 * (page errors, console errors) are asserted empty. Signing-in pages
 * probe GET /v1/dashboard/session first, so 401 is always allowed.
 */
export function dashTest(name, fn, { viewport = { width: 1280, height: 900 },
    allowStatuses = [] } = {}) {
	test(name, async () => {
		const context = await browser.newContext({ viewport,
		    locale: 'en-US', timezoneId: 'UTC' });
		const page = await context.newPage();
		page.setDefaultTimeout(15000);
		const allowed = new Set([401, ...allowStatuses]);
		const problems = [];
		page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
		page.on('console', (m) => {
			if (m.type() !== 'error')
				return;
			const s = /status of (\d{3})/.exec(m.text());
			if (s && /^Failed to load resource/.test(m.text()) &&
			    allowed.has(Number(s[1])))
				return;
			problems.push(`console error: ${m.text()}`);
		});
		try {
			await fn({ page, context, problems });
		} finally {
			await page.screenshot({ path: join(SHOTS, `${name}.png`),
			    fullPage: true }).catch(() => {});
			await context.close();
		}
		assert.deepEqual(problems, []);
	});
}

/** Opens the dashboard at HASH and signs in as USER. */
export async function signIn(page, user, hash = '#/customers') {
	await page.goto(DASHBOARD + hash);
	await page.getByLabel('Email', { exact: true }).fill(user.email);
	await page.getByLabel('Password', { exact: true }).fill(user.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The value of the session cookie of CONTEXT (undefined if none). */
export async function sessionCookie(context) {
	const c = (await context.cookies()).find((x) =>
	    x.name === 'pesaswap_session');
	return c && c.value;
}

/** A unique, readable name for this run. */
export function unique(prefix) {
	return `${prefix} ${randomBytes(3).toString('hex')}`;
}
