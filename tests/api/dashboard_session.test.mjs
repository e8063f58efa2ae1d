// Dashboard sign-in and sessions (dashboard contract, issue 6): the
// session cookie, the same 401 for a wrong password and an unknown
// email, the sign-in throttle, the session as an alternative to a key
// (account, mode header, CSRF on writes), sign-out, expiry, and
// `pesaswap-admin user create`.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { env, newAccount } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail, sleep }
    from '../lib/openapi.mjs';
import { adminWithInput, newPassword, newUser, sessionCookieOf, signIn,
    signInRaw, withSession } from '../lib/dashboard.mjs';

const run = promisify(execFile);

let acct;	// the file's account, with a dashboard user
let user;
let other;	// another account
const secrets = new Set();	// what must never reach a log

before(async () => {
	acct = await newAccount('api-dashboard-session');
	other = await newAccount('api-dashboard-session-other');
	user = await newUser(acct);
	secrets.add(user.password);
});

async function session(u = user, mode) {
	const s = await signIn(u, mode);
	secrets.add(s.token);
	secrets.add(s.csrf);
	return s;
}

/* GET /v1/dashboard/session without a live session: an answer, not an
 * error, so a signed-out dashboard logs nothing in the browser. */
function expectSignedOut(res) {
	assert.deepEqual(expectOk(res), { object: 'dashboard_session',
	    signed_in: false });
}

const createCustomer = (key, email = uniqEmail('dash')) => call(
    '/v1/customers', { method: 'POST', key, json: { name: 'Dash', email } });

async function emailCount(email, key = acct.testKey) {
	return expectOk(await call(
	    `/v1/customers?email=${encodeURIComponent(email)}`, { key }))
	    .data.length;
}

// Runs SQL against the stack's database (the mariadb client, as the
// pesaswap user): only to age a session past its expiry.
async function sql(text) {
	await run('mariadb', ['--no-defaults', `--socket=${env.PESASWAP_DB_SOCKET}`,
	    '-u', env.PESASWAP_DB_USER, env.PESASWAP_DB_NAME, '-e', text],
	    { env: { ...process.env, MYSQL_PWD: env.PESASWAP_DB_PASSWORD } });
}

// ------------------------------------------------------------ sign-in

test('sign_in_answers_the_session_and_sets_a_strict_httponly_cookie',
    async () => {
	const t0 = Math.floor(Date.now() / 1000);
	const res = await signInRaw(user.email, user.password);
	const s = expectOk(res);
	secrets.add(s.csrf_token);
	assert.deepEqual(Object.keys(s), ['object', 'email', 'account',
	    'csrf_token', 'expires_at', 'livemode']);
	assert.equal(s.object, 'dashboard_session');
	assert.equal(s.email, user.email);
	assert.equal(s.account, acct.id);
	assert.equal(s.livemode, false);
	assert.match(s.csrf_token, /^[0-9A-Za-z_-]{43}$/);
	assert.ok(Math.abs(s.expires_at - (t0 + 43200)) <= 5,
	    `expires_at ${s.expires_at} is not 12 h from now`);
	const cookie = res.headers.getSetCookie().find(
	    (c) => c.startsWith('pesaswap_session='));
	assert.ok(cookie, 'no pesaswap_session cookie');
	const token = sessionCookieOf(res);
	secrets.add(token);
	assert.match(token, /^[0-9A-Za-z_-]{43}$/);
	assert.notEqual(token, s.csrf_token);
	const attrs = cookie.split(';').slice(1).map((a) => a.trim());
	assert.deepEqual(attrs.sort(), ['HttpOnly', 'Max-Age=43200', 'Path=/',
	    'SameSite=Strict']);
});

test('sign_in_over_https_marks_the_cookie_secure', async () => {
	const res = await fetch(`${env.PESASWAP_HTTPS_URL}/v1/dashboard/session`,
	    { method: 'POST', headers: { 'Content-Type': 'application/json' },
	    body: JSON.stringify({ email: user.email,
	    password: user.password }) });
	assert.equal(res.status, 200, await res.text());
	const cookie = res.headers.getSetCookie().find(
	    (c) => c.startsWith('pesaswap_session='));
	secrets.add(sessionCookieOf(res));
	assert.match(cookie, /; Secure(;|$)/);
	assert.match(cookie, /; HttpOnly(;|$)/);
});

test('each_sign_in_gets_its_own_tokens', async () => {
	const a = await session();
	const b = await session();
	assert.notEqual(a.token, b.token);
	assert.notEqual(a.csrf, b.csrf);
});

test('sign_in_email_is_case_insensitive', async () => {
	const u = { ...user, email: user.email.toUpperCase() };
	const s = await session(u);
	assert.equal(s.body.email, user.email);
});

test('sign_in_accepts_a_form_body', async () => {
	const res = await call('/v1/dashboard/session', { method: 'POST',
	    form: { email: user.email, password: user.password } });
	expectOk(res);
	secrets.add(sessionCookieOf(res));
});

test('sign_in_with_mode_header_live_answers_livemode_true', async () => {
	const s = await session(user, 'live');
	assert.equal(s.body.livemode, true);
});

test('wrong_password_and_unknown_email_answer_the_same_401', async () => {
	const u = await newUser(acct);
	const wrong = expectError(await signInRaw(u.email, 'not-the-password'),
	    401, 'invalid_request_error', 'invalid_credentials', null);
	const unknown = expectError(await signInRaw(uniqEmail('nobody'),
	    'not-the-password'), 401, 'invalid_request_error',
	    'invalid_credentials', null);
	assert.equal(wrong.message, 'Incorrect email or password.');
	assert.equal(unknown.message, wrong.message);
});

test('a_failed_sign_in_sets_no_cookie', async () => {
	const res = await signInRaw(user.email, 'wrong-password-here');
	expectError(res, 401, 'invalid_request_error', 'invalid_credentials');
	assert.equal(sessionCookieOf(res), null);
});

test('unknown_email_takes_about_as_long_as_a_wrong_password', async () => {
	const u = await newUser(acct);
	const time = async (email) => {
		const t = process.hrtime.bigint();
		await signInRaw(email, 'not-the-password');
		return Number(process.hrtime.bigint() - t) / 1e6;
	};
	// Medians of 3 each: both verify one Argon2id hash (~30 ms); without
	// the dummy hash an unknown email would answer in ~1 ms.
	const known = [], unknown = [];
	for (let i = 0; i < 3; i++) {
		known.push(await time(u.email));
		unknown.push(await time(uniqEmail('ghost')));
	}
	const med = (a) => a.sort((x, y) => x - y)[1];
	assert.ok(med(unknown) > med(known) / 3,
	    `unknown ${med(unknown)} ms vs wrong password ${med(known)} ms`);
});

test('sign_in_without_email_is_parameter_missing', async () => {
	expectError(await call('/v1/dashboard/session', { method: 'POST',
	    json: { password: user.password } }),
	    400, 'invalid_request_error', 'parameter_missing', 'email');
});

test('sign_in_without_password_is_parameter_missing', async () => {
	expectError(await call('/v1/dashboard/session', { method: 'POST',
	    json: { email: user.email } }),
	    400, 'invalid_request_error', 'parameter_missing', 'password');
	expectError(await call('/v1/dashboard/session', { method: 'POST',
	    json: { email: user.email, password: '' } }),
	    400, 'invalid_request_error', 'parameter_missing', 'password');
});

test('sign_in_with_an_unknown_parameter_is_refused', async () => {
	expectError(await call('/v1/dashboard/session', { method: 'POST',
	    json: { email: user.email, password: user.password, remember: 1 } }),
	    400, 'invalid_request_error', 'parameter_unknown', 'remember');
});

test('sign_in_needs_no_api_key_and_ignores_one', async () => {
	const res = await call('/v1/dashboard/session', { method: 'POST',
	    key: 'sk_test_' + 'Zz9'.repeat(8),
	    json: { email: user.email, password: user.password } });
	expectOk(res);
	secrets.add(sessionCookieOf(res));
});

// ---------------------------------------------------------- throttle

test('five_failures_then_429_with_retry_after_even_with_the_right_password',
    async () => {
	const u = await newUser(acct);
	for (let i = 0; i < 5; i++)
		expectError(await signInRaw(u.email, `wrong-${i}-password`),
		    401, 'invalid_request_error', 'invalid_credentials');
	const res = await signInRaw(u.email, u.password);
	expectError(res, 429, 'rate_limit_error', 'too_many_sign_in_attempts',
	    null);
	const wait = Number(res.headers.get('retry-after'));
	assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 900,
	    `Retry-After ${res.headers.get('retry-after')}`);
	assert.equal(sessionCookieOf(res), null);
});

test('the_lock_is_per_email_and_ignores_the_emails_case', async () => {
	const u = await newUser(acct);
	const bystander = await newUser(acct);
	for (let i = 0; i < 5; i++)
		await signInRaw(u.email.toUpperCase(), `wrong-${i}-password`);
	expectError(await signInRaw(u.email, u.password), 429,
	    'rate_limit_error', 'too_many_sign_in_attempts');
	await session(bystander);
});

test('after_the_lock_the_right_password_signs_in_and_clears_failures',
    async () => {
	const u = await newUser(acct);
	for (let i = 0; i < 5; i++)
		await signInRaw(u.email, `wrong-${i}-password`);
	const locked = await signInRaw(u.email, u.password);
	assert.equal(locked.status, 429);
	await sleep(Number(locked.headers.get('retry-after')) * 1000 + 100);
	await session(u);
	// Cleared: four more failures do not lock.
	for (let i = 0; i < 4; i++)
		expectError(await signInRaw(u.email, `again-${i}-wrong`),
		    401, 'invalid_request_error', 'invalid_credentials');
	await session(u);
});

test('a_failure_after_the_lock_doubles_it', async () => {
	const u = await newUser(acct);
	for (let i = 0; i < 5; i++)
		await signInRaw(u.email, `wrong-${i}-password`);
	const first = await signInRaw(u.email, 'still-wrong-pw');
	assert.equal(first.status, 429);
	await sleep(Number(first.headers.get('retry-after')) * 1000 + 100);
	expectError(await signInRaw(u.email, 'wrong-after-lock'), 401,
	    'invalid_request_error', 'invalid_credentials');
	const second = await signInRaw(u.email, u.password);
	expectError(second, 429, 'rate_limit_error',
	    'too_many_sign_in_attempts');
	assert.equal(Number(second.headers.get('retry-after')), 2);
});

// ------------------------------------------- the session on /v1 routes

test('get_session_answers_it_again_with_the_same_csrf_token', async () => {
	const s = await session();
	const again = expectOk(await withSession(s, '/v1/dashboard/session'));
	assert.deepEqual(again, s.body);
});

test('get_session_without_or_with_an_unknown_cookie_answers_signed_out',
    async () => {
	expectSignedOut(await call('/v1/dashboard/session'));
	expectSignedOut(await withSession({ token: 'A'.repeat(43) },
	    '/v1/dashboard/session'));
	expectSignedOut(await withSession({ token: 'not-a-token' },
	    '/v1/dashboard/session'));
	/* Only the probe: every other route still refuses. */
	expectError(await withSession({ token: 'A'.repeat(43) },
	    '/v1/customers'), 401, 'authentication_error', 'session_invalid',
	    null);
});

test('get_session_signed_out_still_refuses_a_bad_mode_or_parameter',
    async () => {
	expectError(await call('/v1/dashboard/session',
	    { headers: { 'PesaSwap-Mode': 'staging' } }), 400,
	    'invalid_request_error', 'parameter_invalid');
	expectError(await call('/v1/dashboard/session?bogus=1'), 400,
	    'invalid_request_error', 'parameter_unknown', 'bogus');
});

test('session_reads_the_accounts_test_data_by_default', async () => {
	const c = expectOk(await createCustomer(acct.testKey));
	const s = await session();
	assert.deepEqual(expectOk(await withSession(s, `/v1/customers/${c.id}`)),
	    c);
	assert.deepEqual(expectOk(await withSession(s, `/v1/customers/${c.id}`,
	    { mode: 'test' })), c);
	expectError(await withSession(s, `/v1/customers/${c.id}`,
	    { mode: 'live' }), 404, 'invalid_request_error', 'resource_missing');
});

test('session_with_mode_live_sees_live_data_only', async () => {
	const live = expectOk(await createCustomer(acct.liveKey));
	const s = await session();
	const got = expectOk(await withSession(s, `/v1/customers/${live.id}`,
	    { mode: 'live' }));
	assert.equal(got.livemode, true);
	expectError(await withSession(s, `/v1/customers/${live.id}`), 404,
	    'invalid_request_error', 'resource_missing');
});

test('a_mode_header_other_than_test_or_live_is_400', async () => {
	const s = await session();
	const e = expectError(await withSession(s, '/v1/customers',
	    { mode: 'production' }), 400, 'invalid_request_error',
	    'parameter_invalid', null);
	assert.match(e.message, /PesaSwap-Mode/);
});

test('session_never_sees_another_accounts_data', async () => {
	const theirs = expectOk(await createCustomer(other.testKey));
	const s = await session();
	expectError(await withSession(s, `/v1/customers/${theirs.id}`), 404,
	    'invalid_request_error', 'resource_missing');
});

test('session_write_with_csrf_token_is_done_in_the_users_account',
    async () => {
	const s = await session();
	const email = uniqEmail('dashw');
	const c = expectOk(await withSession(s, '/v1/customers',
	    { method: 'POST', json: { name: 'By dashboard', email } }));
	assert.equal(c.livemode, false);
	assert.equal(await emailCount(email), 1);
	assert.equal(await emailCount(email, other.testKey), 0);
});

test('session_write_without_csrf_token_is_403_and_writes_nothing',
    async () => {
	const s = await session();
	const email = uniqEmail('nocsrf');
	expectError(await withSession(s, '/v1/customers', { method: 'POST',
	    csrf: false, json: { name: 'No token', email } }),
	    403, 'invalid_request_error', 'csrf_token_invalid', null);
	assert.equal(await emailCount(email), 0);
});

test('session_write_with_a_wrong_csrf_token_is_403_and_writes_nothing',
    async () => {
	const s = await session();
	const s2 = await session();
	const c = expectOk(await createCustomer(acct.testKey));
	// Another session's token is as wrong as a made-up one.
	for (const csrf of [s2.csrf, 'x'.repeat(43), s.csrf.slice(0, 42)])
		expectError(await withSession(s, `/v1/customers/${c.id}`,
		    { method: 'DELETE', csrf }), 403, 'invalid_request_error',
		    'csrf_token_invalid', null);
	expectOk(await call(`/v1/customers/${c.id}`, { key: acct.testKey }));
});

test('an_authorization_header_wins_over_the_session_cookie', async () => {
	const s = await session();
	const theirs = expectOk(await createCustomer(other.testKey));
	expectOk(await withSession(s, `/v1/customers/${theirs.id}`,
	    { key: other.testKey }));
	expectError(await withSession(s, '/v1/customers',
	    { key: 'sk_test_' + 'Qq1'.repeat(8) }), 401,
	    'authentication_error', 'api_key_invalid', null);
});

test('a_malformed_cookie_without_a_key_is_api_key_missing', async () => {
	expectError(await call('/v1/customers',
	    { headers: { Cookie: 'pesaswap_session=short; theme=dark' } }),
	    401, 'authentication_error', 'api_key_missing', null);
});

test('an_unknown_session_on_an_api_route_is_session_invalid', async () => {
	expectError(await withSession({ token: 'b'.repeat(43) }, '/v1/customers'),
	    401, 'authentication_error', 'session_invalid', null);
});

// ------------------------------------------------- sign-out and expiry

test('sign_out_ends_the_session_server_side_and_clears_the_cookie',
    async () => {
	const s = await session();
	const res = await withSession(s, '/v1/dashboard/session',
	    { method: 'DELETE' });
	assert.deepEqual(expectOk(res), { object: 'dashboard_session',
	    deleted: true });
	const cookie = res.headers.getSetCookie().find(
	    (c) => c.startsWith('pesaswap_session='));
	assert.match(cookie, /^pesaswap_session=;/);
	assert.match(cookie, /; Max-Age=0(;|$)/);
	// The same cookie, replayed, is refused everywhere; the probe
	// answers signed out.
	expectSignedOut(await withSession(s, '/v1/dashboard/session'));
	expectError(await withSession(s, '/v1/customers'), 401,
	    'authentication_error', 'session_invalid');
	expectError(await withSession(s, '/v1/dashboard/session',
	    { method: 'DELETE' }), 401, 'authentication_error',
	    'session_invalid');
});

test('sign_out_without_csrf_token_is_403_and_the_session_lives_on',
    async () => {
	const s = await session();
	expectError(await withSession(s, '/v1/dashboard/session',
	    { method: 'DELETE', csrf: false }), 403, 'invalid_request_error',
	    'csrf_token_invalid');
	expectOk(await withSession(s, '/v1/customers'));
});

test('sign_out_ends_only_that_session', async () => {
	const a = await session();
	const b = await session();
	expectOk(await withSession(a, '/v1/dashboard/session',
	    { method: 'DELETE' }));
	assert.equal(expectOk(await withSession(b, '/v1/dashboard/session'))
	    .csrf_token, b.csrf);
});

test('an_expired_session_is_session_invalid', async () => {
	const s = await session();
	const hash = createHash('sha256').update(s.token).digest('hex');
	await sql('UPDATE dashboard_sessions SET expires = UNIX_TIMESTAMP()' +
	    ` WHERE token_hash = UNHEX('${hash}')`);
	expectSignedOut(await withSession(s, '/v1/dashboard/session'));
	expectError(await withSession(s, '/v1/customers'), 401,
	    'authentication_error', 'session_invalid');
});

// ------------------------------------------------- pesaswap-admin user

test('admin_user_create_prints_the_email_and_user_id', async () => {
	const email = uniqEmail('adm');
	const r = await adminWithInput(['user', 'create', '--account', acct.id,
	    '--email', email], 'long-enough-password\n');
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, new RegExp(`^PESASWAP_DASHBOARD_EMAIL=${email}$`,
	    'm'));
	assert.match(r.stdout, /^PESASWAP_DASHBOARD_USER_ID=usr_[0-9A-Za-z]{16}$/m);
	await session({ email, password: 'long-enough-password' });
});

test('admin_user_create_refuses_an_existing_email_in_any_case', async () => {
	const u = await newUser(acct);
	const r = await adminWithInput(['user', 'create', '--account', acct.id,
	    '--email', u.email.toUpperCase()], 'another-password\n');
	assert.equal(r.code, 1);
	assert.match(r.stderr, /exists/);
	expectError(await signInRaw(u.email, 'another-password'), 401,
	    'invalid_request_error', 'invalid_credentials');
	await session(u);
});

test('admin_user_create_update_password_replaces_it_and_ends_sessions',
    async () => {
	const u = await newUser(acct);
	const s = await session(u);
	const pw = newPassword();
	secrets.add(pw);
	const r = await adminWithInput(['user', 'create', '--account', acct.id,
	    '--email', u.email, '--update-password'], `${pw}\n`);
	assert.equal(r.code, 0, r.stderr);
	expectSignedOut(await withSession(s, '/v1/dashboard/session'));
	expectError(await signInRaw(u.email, u.password), 401,
	    'invalid_request_error', 'invalid_credentials');
	await session({ email: u.email, password: pw });
});

test('admin_user_create_refuses_a_password_under_8_bytes', async () => {
	const email = uniqEmail('short');
	const r = await adminWithInput(['user', 'create', '--account', acct.id,
	    '--email', email], 'short12\n');
	assert.equal(r.code, 1);
	assert.match(r.stderr, /8 to 256 bytes/);
	expectError(await signInRaw(email, 'short12'), 401,
	    'invalid_request_error', 'invalid_credentials');
});

test('admin_user_create_for_an_unknown_account_fails', async () => {
	const r = await adminWithInput(['user', 'create', '--account',
	    'acct_0000000000000000', '--email', uniqEmail('x')],
	    'long-enough-password\n');
	assert.equal(r.code, 1);
	assert.match(r.stderr, /no account/);
});

// Last: nothing above may have written a password or token to a log.
test('logs_hold_no_password_session_or_csrf_token', async () => {
	await sleep(300);
	const dir = join(env.PESASWAP_VAR, 'log');
	const text = readdirSync(dir).filter((f) => f.endsWith('.log'))
	    .map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
	assert.ok(text.length > 0, 'no logs found');
	assert.ok(secrets.size > 10);
	for (const s of secrets)
		assert.ok(s && !text.includes(s), 'a secret is in the logs');
});
