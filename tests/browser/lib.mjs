// Helpers for the browser suite: Debian's Chromium through playwright-core
// against the real stack's dashboard (PESASWAP_DASHBOARD_URL), a dashboard
// user per test, sign-in, and a screenshot per test in
// tests/output/screenshots/<test-name>.png.
//
// Every page a test visits must leave an empty console: a test fails on
// any page error, console error, or request that failed. The one
// exception is a test that provokes an API error on purpose (a duplicate
// email, a wrong password): it names the statuses it expects, and the
// browser's "Failed to load resource: … status of N" lines must then be
// exactly those.
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { api, env, newAccount } from '../lib/stack.mjs';
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

/*
 * Watches PAGE: page errors, console errors and failed requests go to
 * PROBLEMS, the statuses of "Failed to load resource" lines to STATUSES.
 * A request aborted on purpose (a search superseded by the next key, a
 * page left) is no failure.
 */
function watch(page, problems, statuses) {
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() !== 'error')
			return;
		const s = /^Failed to load resource: .*status of (\d{3})/
		    .exec(m.text());
		if (s)
			statuses.push(Number(s[1]));
		else
			problems.push(`console error: ${m.text()}`);
	});
	page.on('requestfailed', (r) => {
		const why = r.failure() ? r.failure().errorText : '?';
		if (why !== 'net::ERR_ABORTED')
			problems.push(`request failed: ${r.url()} ${why}`);
	});
}

/**
 * dashTest(name, fn, {viewport, expectStatuses}): one test in a fresh
 * browser context (its own cookies). FN gets {page, context, problems}.
 * The screenshot is taken at the end, pass or fail, then the console of
 * every page of the context is asserted empty: no problems, and failed
 * loads exactly EXPECTSTATUSES, in order (an API error the test provokes
 * on purpose).
 */
export function dashTest(name, fn, { viewport = { width: 1280, height: 900 },
    expectStatuses = [] } = {}) {
	test(name, async () => {
		const context = await browser.newContext({ viewport,
		    locale: 'en-US', timezoneId: 'UTC' });
		const problems = [];
		const statuses = [];
		context.on('page', (p) => watch(p, problems, statuses));
		const page = await context.newPage();
		page.setDefaultTimeout(15000);
		try {
			await fn({ page, context, problems });
		} finally {
			await page.screenshot({ path: join(SHOTS, `${name}.png`),
			    fullPage: true }).catch(() => {});
			await context.close();
		}
		assert.deepEqual(problems, []);
		assert.deepEqual(statuses, expectStatuses,
		    'failed resource loads in the console');
	});
}

/** POST PATH with JSON as USER's account, in test mode: the object. */
export async function create(user, path, json) {
	const r = await api(path, { method: 'POST', key: user.account.testKey,
	    json });
	assert.equal(r.status, 200, `${path}: ${r.text}`);
	return r.json;
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
