// Helpers for the Node suites: the running stack's settings, a small HTTP
// client, and the admin command line (common.md "Node tests").
//
// test.sh exports VAR/demo.env plus PESASWAP_VAR, PESASWAP_ADMIN,
// PESASWAP_STACK and PESASWAP_BUILD. Run by hand against ./run.sh's stack
// (`node --test tests/api/`), the missing ones come from var/demo.env and
// the checkout's defaults, so nothing needs exporting.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Fills process.env from VAR/demo.env (export KEY=value lines, values maybe in
// single quotes) without overriding what is already set.
function loadDemoEnv(file) {
	let text;
	try {
		text = readFileSync(file, 'utf8');
	} catch {
		return;
	}
	for (const line of text.split('\n')) {
		const m = /^(?:export )?(PESASWAP_[A-Z0-9_]+)=(.*)$/.exec(line);
		if (!m || process.env[m[1]] !== undefined)
			continue;
		let v = m[2];
		if (v.startsWith("'") && v.endsWith("'"))
			v = v.slice(1, -1).replaceAll("'\\''", "'");
		process.env[m[1]] = v;
	}
}

process.env.PESASWAP_VAR ??= join(ROOT, 'var');
loadDemoEnv(join(process.env.PESASWAP_VAR, 'demo.env'));
process.env.PESASWAP_BUILD ??= join(ROOT, 'build');
process.env.PESASWAP_ADMIN ??= join(process.env.PESASWAP_BUILD, 'fcgi',
    'pesaswap-admin');
process.env.PESASWAP_STACK ??= join(ROOT, 'scripts', 'stack.sh');

/** The PESASWAP_* settings of the stack under test (frozen). */
export const env = Object.freeze(Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k.startsWith('PESASWAP_'))));

/**
 * One request through nginx. Options: method (GET), key (Bearer),
 * json (sent as application/json), form (object or string, sent
 * form-encoded), body (raw), headers. Returns {status, headers, json,
 * text}; json is undefined when the body is not JSON.
 */
/**
 * fetch() as a well-behaved client: a 429 from the per-key rate limit
 * (API.md "Operations"; nginx answers it before any worker sees the
 * request, so sending again is safe) is retried after its Retry-After,
 * a bounded number of times. retry429: false returns the 429 itself.
 */
export async function fetchPolitely(url, init, { retry429 = true } = {}) {
	for (let tries = 0; ; tries++) {
		const res = await fetch(url, init);
		if (res.status !== 429 || !retry429 || tries >= 50)
			return res;
		await res.arrayBuffer();
		const wait = Number(res.headers.get('retry-after')) || 1;
		await new Promise((resolve) => setTimeout(resolve,
		    Math.min(wait, 2) * 1000 * (0.5 + Math.random() / 2)));
	}
}

export async function api(path, { method = 'GET', key, body, json, form,
    headers = {} } = {}) {
	const h = new Headers(headers);
	if (key)
		h.set('authorization', `Bearer ${key}`);
	if (json !== undefined) {
		body = typeof json === 'string' ? json : JSON.stringify(json);
		if (!h.has('content-type'))
			h.set('content-type', 'application/json');
	} else if (form !== undefined) {
		body = typeof form === 'string' ? form :
		    new URLSearchParams(form).toString();
		if (!h.has('content-type'))
			h.set('content-type', 'application/x-www-form-urlencoded');
	}
	const res = await fetchPolitely(env.PESASWAP_API_URL + path,
	    { method, headers: h, body });
	const text = await res.text();
	let parsed;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	return { status: res.status, headers: res.headers, json: parsed, text };
}

// KEY=value lines (what pesaswap-admin prints) into an object.
function lines(out) {
	return Object.fromEntries(out.split('\n')
	    .map((l) => /^([A-Z_]+)=(.*)$/.exec(l.trim()))
	    .filter(Boolean).map((m) => [m[1], m[2]]));
}

/** Runs pesaswap-admin with ARGS against the stack's database. */
export async function admin(args) {
	try {
		const { stdout } = await run(env.PESASWAP_ADMIN, args,
		    { env: process.env, timeout: 60000 });
		return stdout;
	} catch (e) {
		throw new Error(`pesaswap-admin ${args.join(' ')}: ` +
		    `${e.stderr || e.message}`);
	}
}

/** A new account: {id, testKey, liveKey}. */
export async function newAccount(name = 'test') {
	const v = lines(await admin(['account', 'create', '--name', name]));
	if (!v.PESASWAP_ACCOUNT_ID || !v.PESASWAP_TEST_KEY)
		throw new Error('pesaswap-admin account create printed no account');
	return { id: v.PESASWAP_ACCOUNT_ID, testKey: v.PESASWAP_TEST_KEY,
	    liveKey: v.PESASWAP_LIVE_KEY };
}

/**
 * A new key for ACCOUNT (an id, or what newAccount returned) in MODE
 * ('test' or 'live'); with PERMISSIONS (a string "a,b" or an array) a
 * restricted rk_ key. Returns {key, id}.
 */
export async function newKey(account, mode = 'test', permissions) {
	const args = ['key', 'create', '--account',
	    typeof account === 'string' ? account : account.id, '--mode', mode];
	if (permissions !== undefined)
		args.push('--permissions', [].concat(permissions).join(','));
	const v = lines(await admin(args));
	if (!v.PESASWAP_KEY)
		throw new Error('pesaswap-admin key create printed no key');
	return { key: v.PESASWAP_KEY, id: v.PESASWAP_KEY_ID };
}

/** Revokes a key, given as the key itself or its key_ id. */
export async function revokeKey(key) {
	await admin(['key', 'revoke', '--key', key]);
}

// bash scripts/stack.sh COMMAND for this stack's VAR.
async function stack(cmd) {
	const { stdout } = await run('bash', [env.PESASWAP_STACK, cmd],
	    { env: process.env, timeout: 120000 });
	return stdout;
}

/** Stops MariaDB (returns once it is down). */
export async function dbStop() {
	await stack('db-stop');
}

/** Starts MariaDB again (returns once it answers). */
export async function dbStart() {
	await stack('db-start');
}

/** The pesaswap-fcgi master's pid, a number. */
export async function fcgiPid() {
	return Number((await stack('fcgi-pid')).trim());
}
