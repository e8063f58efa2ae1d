// Secrets (issue 7 "Hostile input"): no key, webhook secret or card
// number reaches a log or an error body, and secrets are compared in
// constant time wherever they are compared.
//
// How keys are checked (fcgi/auth.c): the key from the header is hashed
// with SHA-256 and looked up by that hash (api_keys.hash, a unique
// index), so the key itself is never compared byte by byte and never
// stored; a timing difference in the index lookup tells an attacker
// about a hash they cannot choose, not about the key. The workers' short
// cache of lookups compares hashes with CRYPTO_memcmp. Dashboard session
// tokens are looked up the same way (by SHA-256) and CSRF tokens compared
// with CRYPTO_memcmp. The last tests here keep it so: no strcmp/memcmp
// in fcgi/ may take a secret.
//
// The access log names the path but not the query string (see
// nginx/pesaswap.conf.in), so a key or a card number pasted into a URL's
// query is not logged either.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { env, newAccount, newKey, revokeKey } from '../lib/stack.mjs';
import { call, expectOk, expectError, uniqEmail, sleep }
    from '../lib/openapi.mjs';

const SRC = new URL('../../fcgi/', import.meta.url);
const CARDS = ['4242424242424242', '4000056655665556', '5555555555554444',
    '378282246310005'];

let acct;
const secrets = new Map();	// what must not be logged -> where it came from
const bodies = [];		// every error body answered during the run

function remember(what, value) {
	secrets.set(value, what);
	// the random part alone too, in case a log cut the prefix
	const m = /^(?:sk|rk)_(?:test|live)_(.+)$/.exec(value);
	if (m)
		secrets.set(m[1], `${what} (without its prefix)`);
}

// call(), keeping every error body for the checks below.
async function send(path, opts) {
	const r = await call(path, opts);
	if (r.status >= 400)
		bodies.push(r.text);
	return r;
}

// Every regular file under "dir", recursively.
function filesUnder(dir) {
	const out = [];
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		const st = statSync(p);
		if (st.isDirectory())
			out.push(...filesUnder(p));
		else if (st.isFile())
			out.push(p);
	}
	return out;
}

before(async () => {
	acct = await newAccount('api-secrets');
	const restricted = await newKey(acct, 'test', ['customers:read']);
	const revoked = await newKey(acct, 'test');
	const unknown = `sk_test_${'Z'.repeat(8)}${Date.now().toString(36)}XyZ12345`;
	remember('the test key', acct.testKey);
	remember('the live key', acct.liveKey);
	remember('a restricted key', restricted.key);
	remember('a revoked key', revoked.key);
	remember('an unknown key', unknown);

	// good keys, as Bearer and as Basic
	expectOk(await send('/v1/customers', { key: acct.testKey }));
	expectOk(await send('/v1/customers', { basic: acct.testKey }));
	expectOk(await send('/v1/customers', { key: acct.liveKey }));
	expectOk(await send('/v1/customers', { key: restricted.key }));
	expectError(await send('/v1/payments', { key: restricted.key }), 403,
	    'permission_error', 'permission_denied', null);
	// wrong, revoked and malformed keys
	expectError(await send('/v1/customers', { key: unknown }), 401,
	    'authentication_error', 'api_key_invalid', null);
	expectError(await send('/v1/customers', { basic: unknown }), 401,
	    'authentication_error', 'api_key_invalid', null);
	await revokeKey(revoked.key);
	expectError(await send('/v1/customers', { key: revoked.key }), 401,
	    'authentication_error', 'api_key_invalid', null);
	expectError(await send('/v1/customers', { basic: revoked.key }), 401,
	    'authentication_error', 'api_key_invalid', null);
	expectError(await send('/v1/customers', { headers: {
	    Authorization: `Token ${acct.testKey}` } }), 401,
	    'authentication_error', 'api_key_invalid', null);
	expectError(await send('/v1/customers', { headers: {
	    Authorization: `Basic ${Buffer.from(`x:${acct.testKey}`)
	    .toString('base64')}` } }), 401, 'authentication_error',
	    'api_key_invalid', null);
	// a key where none belongs: the query string and another header
	expectError(await send(`/v1/customers?api_key=${acct.testKey}`, {
	    headers: { 'X-Api-Key': acct.testKey } }), 401,
	    'authentication_error', 'api_key_missing', null);
	// an idempotent create and its replay
	const email = uniqEmail('sec');
	for (let i = 0; i < 2; i++)
		expectOk(await send('/v1/customers', { method: 'POST',
		    key: acct.testKey, headers: { 'Idempotency-Key': `sec-${email}` },
		    json: { name: 'Secret Keeper', email } }));
	// a webhook endpoint: its secret is shown once, never logged
	const we = expectOk(await send('/v1/webhook_endpoints', { method: 'POST',
	    key: acct.testKey, json: { url: 'https://127.0.0.1:1/hook',
	    enabled_events: ['*'] } }));
	assert.match(we.secret, /^whsec_/);
	remember('a webhook secret', we.secret);
	// card numbers, refused everywhere a write takes them
	for (const card of CARDS) {
		remember('a card number', card);
		const spaced = card.replace(/(\d{4})(?=\d)/g, '$1 ');
		for (const json of [
			{ name: 'Card', email: uniqEmail('card'), metadata: { card } },
			{ name: `Card ${spaced}`, email: uniqEmail('card') },
			{ name: 'Card', email: uniqEmail('card'),
			    metadata: { [card]: 'key' } },
		])
			expectError(await send('/v1/customers', { method: 'POST',
			    key: acct.testKey, json }), 400, 'invalid_request_error',
			    'sensitive_data_rejected');
		expectError(await send('/v1/payments', { method: 'POST',
		    key: acct.testKey, form: { amount: 100, currency: 'usd',
		    description: `card ${card}` } }), 400,
		    'invalid_request_error', 'sensitive_data_rejected');
		// reads are not refused, but their queries are not logged
		await send(`/v1/customers/search?query=${card}`, { key: acct.testKey });
		await send(`/v1/customers?email=${card}`, { key: acct.testKey });
	}
	await sleep(500);	// the workers and nginx write their lines at once
});

test('no_card_number_was_stored', async () => {
	const all = expectOk(await call('/v1/customers?limit=100',
	    { key: acct.testKey }));
	const text = JSON.stringify(all);
	for (const card of CARDS)
		assert.ok(!text.includes(card), `${card} was stored`);
	assert.equal(all.data.length, 1, 'only the idempotent create');
});

test('no_error_body_repeats_a_key_or_a_card_number', () => {
	assert.ok(bodies.length >= 20, `only ${bodies.length} error bodies`);
	for (const body of bodies)
		for (const [value, what] of secrets)
			assert.ok(!body.includes(value), `${what} in: ${body}`);
});

test('the_logs_hold_no_key_webhook_secret_or_card_number', () => {
	const dir = join(env.PESASWAP_VAR, 'log');
	const files = filesUnder(dir);
	assert.ok(files.some((f) => f.endsWith('nginx-access.log')),
	    `no access log in ${dir}`);
	assert.ok(files.some((f) => f.endsWith('fcgi.log')), `no fcgi.log in ${dir}`);
	let bytes = 0;
	for (const f of files) {
		const text = readFileSync(f, 'latin1');
		bytes += text.length;
		for (const [value, what] of secrets)
			assert.ok(!text.includes(value), `${what} is in ${f}`);
	}
	assert.ok(bytes > 0);
});

test('the_logs_did_record_the_run', () => {
	// the check above is only worth something if the requests were logged
	const access = readFileSync(join(env.PESASWAP_VAR, 'log',
	    'nginx-access.log'), 'utf8');
	assert.match(access, /"GET \/v1\/customers\/search HTTP\/1\.1" 200/);
	assert.match(access, /"POST \/v1\/customers HTTP\/1\.1" 400/);
	assert.match(access, /"GET \/v1\/customers HTTP\/1\.1" 401/);
});

// ---- constant-time comparisons, checked in the source

// The comparison calls of "text": [function, argument text].
function comparisons(text) {
	const out = [];
	const re = /(?<![A-Za-z0-9_])(strcmp|strncmp|strcasecmp|strncasecmp|memcmp|bcmp|strcoll)\s*\(/g;
	let m;
	while ((m = re.exec(text)) !== null) {
		let depth = 1, i = re.lastIndex;
		for (; i < text.length && depth > 0; i++)
			depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
		out.push([m[1], text.slice(re.lastIndex, i - 1)]);
	}
	return out;
}

// Names that hold a secret or its hash.
const SECRET_NAME = /secret|passw|csrf|session_token|token_hash|key_hash|hmac|signature|whsec|api_key|seal/i;

test('no_secret_is_compared_with_strcmp_or_memcmp_in_fcgi', () => {
	const files = readdirSync(SRC).filter((f) => f.endsWith('.c'));
	assert.ok(files.includes('auth.c'));
	const bad = [];
	for (const f of files) {
		// comments may name anything
		const text = readFileSync(new URL(f, SRC), 'utf8')
		    .replace(/\/\*[\s\S]*?\*\//g, '');
		for (const [fn, args] of comparisons(text))
			if (SECRET_NAME.test(args) && !/"/.test(args))
				bad.push(`${f}: ${fn}(${args})`);
	}
	assert.deepEqual(bad, [], 'use CRYPTO_memcmp for secrets');
});

test('keys_are_looked_up_by_sha256_and_cached_hashes_compared_in_constant_time', () => {
	const auth = readFileSync(new URL('auth.c', SRC), 'utf8');
	assert.match(auth, /SHA256\(/, 'keys are hashed with SHA-256');
	assert.match(auth, /FROM api_keys[\s\S]*WHERE hash = \?/,
	    'keys are looked up by their hash');
	assert.match(auth, /CRYPTO_memcmp\(slot->hash, hash/,
	    'cached hashes are compared in constant time');
	assert.match(auth, /OPENSSL_cleanse\(key/, 'the key is wiped after hashing');
});
