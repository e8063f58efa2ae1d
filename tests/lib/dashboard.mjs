// Dashboard helpers for the Node suites (dashboard contract): dashboard
// users made with `pesaswap-admin user create` (password on standard
// input), sign-in, and requests made with a session cookie instead of a
// key. Every request goes through openapi.mjs's call(), so answers are
// checked against openapi.yaml.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { env } from './stack.mjs';
import { call, expectOk, uniqEmail } from './openapi.mjs';

/**
 * Runs pesaswap-admin with ARGS, writing INPUT to its standard input.
 * Resolves {code, stdout, stderr}; never rejects on a non-zero exit.
 */
export function adminWithInput(args, input) {
	return new Promise((resolve, reject) => {
		const child = spawn(env.PESASWAP_ADMIN, args,
		    { env: process.env, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '', stderr = '';
		child.stdout.on('data', (d) => { stdout += d; });
		child.stderr.on('data', (d) => { stderr += d; });
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
		child.stdin.end(input);
	});
}

/** A password nobody else uses (24 characters). */
export const newPassword = () => `pw-${randomBytes(12).toString('base64url')}`;

/**
 * A dashboard user of ACCOUNT (an id or what newAccount returned):
 * {email, password, id}. Throws when pesaswap-admin refuses.
 */
export async function newUser(account, { email = uniqEmail('dash'),
    password = newPassword() } = {}) {
	const acct = typeof account === 'string' ? account : account.id;
	const r = await adminWithInput(['user', 'create', '--account', acct,
	    '--email', email], `${password}\n`);
	const id = /^PESASWAP_DASHBOARD_USER_ID=(usr_[0-9A-Za-z]{16})$/m
	    .exec(r.stdout)?.[1];
	if (r.code !== 0 || !id)
		throw new Error(`user create: ${r.code} ${r.stderr}`);
	return { email, password, id };
}

/** The pesaswap_session value of a response's Set-Cookie, or null. */
export function sessionCookieOf(res) {
	const all = res.headers.getSetCookie?.() ??
	    [res.headers.get('set-cookie') ?? ''];
	for (const c of all) {
		const m = /^pesaswap_session=([^;]*)/.exec(c);
		if (m)
			return m[1];
	}
	return null;
}

/** POST /v1/dashboard/session with JSON {email, password}; the raw answer. */
export const signInRaw = (email, password, headers = {}) =>
    call('/v1/dashboard/session', { method: 'POST', json: { email, password },
    headers, retry429: false });

/**
 * Signs USER in: {token, csrf, body, res}. "mode" ('live') is sent as
 * PesaSwap-Mode.
 */
export async function signIn(user, mode) {
	const res = await signInRaw(user.email, user.password,
	    mode ? { 'PesaSwap-Mode': mode } : {});
	const body = expectOk(res);
	return { token: sessionCookieOf(res), csrf: body.csrf_token, body, res };
}

/**
 * call() with a session: the cookie of S ({token, csrf}), its CSRF token
 * as X-CSRF-Token unless csrf is false (or another string), and
 * PesaSwap-Mode when mode is given. Other options as call()'s.
 */
export function withSession(s, path, { csrf = true, mode, headers = {},
    ...opts } = {}) {
	const h = { Cookie: `pesaswap_session=${s.token}`, ...headers };
	if (csrf === true)
		h['X-CSRF-Token'] = s.csrf;
	else if (typeof csrf === 'string')
		h['X-CSRF-Token'] = csrf;
	if (mode !== undefined)
		h['PesaSwap-Mode'] = mode;
	return call(path, { ...opts, headers: h });
}
