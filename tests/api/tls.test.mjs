// TLS and security headers (issue 7 "Hostile input"): nginx's TLS follows
// Mozilla's "intermediate" configuration (TLS 1.2 and 1.3 only, forward-
// secret AEAD ciphers, the client's cipher order, no session tickets, a
// shared session cache), HSTS is sent over HTTPS only, and every answer,
// the workers' and nginx's own, carries the security headers. Handshakes
// are made with `openssl s_client`, which can offer what Node refuses to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '../lib/stack.mjs';
import { rawCall } from '../lib/hostile.mjs';

const https = new URL(env.PESASWAP_HTTPS_URL);
const TARGET = `127.0.0.1:${https.port}`;

// Mozilla's intermediate list (TLS 1.2; TLS 1.3 suites are all fine).
const INTERMEDIATE = new Set(['ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305', 'DHE-RSA-AES128-GCM-SHA256',
    'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-CHACHA20-POLY1305']);

/** One handshake: openssl s_client ARGS; its output (stdout + stderr). */
function sClient(args) {
	const r = spawnSync('openssl', ['s_client', '-connect', TARGET,
	    '-servername', 'localhost', ...args], { input: '', timeout: 15000,
	    encoding: 'latin1' });
	assert.ok(!r.error, `openssl: ${r.error}`);
	return `${r.stdout}\n${r.stderr}`;
}

// "New, TLSv1.2, Cipher is X": [protocol, cipher], or null if none.
function negotiated(out) {
	const m = /^(?:New|Reused), (TLSv[\d.]+), Cipher is (\S+)/m.exec(out);
	return m ? [m[1], m[2]] : null;
}

// ---- protocols

for (const [flag, name] of [['-tls1', 'TLS 1.0'], ['-tls1_1', 'TLS 1.1']]) {
	test(`${name.replace(/[ .]/g, '_').toLowerCase()}_is_refused_by_the_server`, () => {
		// SECLEVEL=0 lets this client offer the old protocol, so the
		// refusal is the server's (an alert), not our own library's.
		const out = sClient([flag, '-cipher', 'DEFAULT@SECLEVEL=0']);
		assert.equal(negotiated(out), null, out);
		assert.match(out, /alert protocol version/, out);
	});
}

test('tls_1_2_is_accepted_with_an_intermediate_cipher', () => {
	const out = sClient(['-tls1_2']);
	const n = negotiated(out);
	assert.ok(n, out);
	assert.equal(n[0], 'TLSv1.2');
	assert.ok(INTERMEDIATE.has(n[1]), `${n[1]} is not in the intermediate list`);
});

test('tls_1_3_is_accepted', () => {
	const n = negotiated(sClient(['-tls1_3']));
	assert.ok(n);
	assert.equal(n[0], 'TLSv1.3');
	assert.match(n[1], /^TLS_(AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305)_SHA\d+$/);
});

// ---- ciphers

for (const cipher of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384',
    'AES128-GCM-SHA256', 'AES256-SHA', 'DES-CBC3-SHA',
    'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-NULL-SHA']) {
	test(`cipher_${cipher.toLowerCase().replace(/-/g, '_')}_is_refused`, () => {
		const out = sClient(['-tls1_2', '-cipher', `${cipher}@SECLEVEL=0`]);
		assert.equal(negotiated(out), null, out);
	});
}

test('every_cipher_offered_alone_that_works_is_an_intermediate_one', () => {
	const list = spawnSync('openssl', ['ciphers', 'ALL:@SECLEVEL=0'],
	    { encoding: 'latin1' }).stdout.trim().split(':');
	assert.ok(list.length > 20);
	const accepted = [];
	for (const c of list.filter((c) => !c.startsWith('TLS_'))) {
		const n = negotiated(sClient(['-tls1_2', '-cipher', `${c}@SECLEVEL=0`]));
		if (n)
			accepted.push(n[1]);
	}
	assert.ok(accepted.length >= 2, `only ${accepted}`);
	for (const c of accepted)
		assert.ok(INTERMEDIATE.has(c), `${c} is accepted`);
});

test('the_server_follows_the_clients_cipher_order', () => {
	// ssl_prefer_server_ciphers off: what the client lists first wins
	const a = 'ECDHE-ECDSA-CHACHA20-POLY1305';
	const b = 'ECDHE-ECDSA-AES128-GCM-SHA256';
	assert.equal(negotiated(sClient(['-tls1_2', '-cipher', `${a}:${b}`]))?.[1], a);
	assert.equal(negotiated(sClient(['-tls1_2', '-cipher', `${b}:${a}`]))?.[1], b);
});

// ---- sessions

test('no_session_ticket_is_issued', () => {
	const out = sClient(['-tls1_2']);
	assert.ok(negotiated(out));
	assert.doesNotMatch(out, /TLS session ticket:/);
});

test('a_session_is_resumed_from_the_shared_cache', () => {
	const dir = mkdtempSync(join(tmpdir(), 'pesaswap-tls-'));
	try {
		const sess = join(dir, 'session.pem');
		const first = sClient(['-tls1_2', '-sess_out', sess]);
		assert.match(first, /^New, TLSv1\.2/m);
		const again = sClient(['-tls1_2', '-sess_in', sess]);
		assert.match(again, /^Reused, TLSv1\.2/m, again);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('http2_is_offered_over_tls', () => {
	assert.match(sClient(['-tls1_3', '-alpn', 'h2,http/1.1']),
	    /ALPN protocol: h2/);
});

// ---- headers

const SECURITY = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'x-frame-options': 'DENY',
};
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const HSTS_MIN_SECONDS = 365 * 24 * 3600;

// The answers to check: [label, path, init]; workers' and nginx's own.
const ANSWERS = [
	['api_200', '/v1/customers', { headers: {
	    Authorization: `Bearer ${env.PESASWAP_TEST_KEY}` } }],
	['api_401', '/v1/customers', {}],
	['api_404', '/v1/nothing', {}],
	['healthz', '/healthz', {}],
	['nginx_413', '/v1/customers', { method: 'POST', body: 'x'.repeat(70000),
	    headers: { 'Content-Type': 'application/json' } }],
	['nginx_405', '/dashboard/', { method: 'POST', body: 'x' }],
	['dashboard', '/dashboard/', {}],
	['redirect', '/', { redirect: 'manual' }],
];

function checkSecurityHeaders(label, h) {
	for (const [name, value] of Object.entries(SECURITY))
		assert.equal(h.get(name), value, `${label}: ${name}`);
	const csp = h.get('content-security-policy');
	assert.ok(csp, `${label}: no CSP`);
	assert.match(csp, /frame-ancestors 'none'/, label);
	assert.match(csp, /default-src '(none|self)'/, label);
}

for (const [label, path, init] of ANSWERS) {
	test(`${label}_over_https_carries_hsts_and_the_security_headers`, async () => {
		const r = await fetch(env.PESASWAP_HTTPS_URL + path,
		    { redirect: 'manual', ...init });
		await r.arrayBuffer();
		checkSecurityHeaders(label, r.headers);
		const m = /^max-age=(\d+)/.exec(r.headers.get('strict-transport-security') ?? '');
		assert.ok(m, `${label}: no HSTS over HTTPS`);
		assert.ok(Number(m[1]) >= HSTS_MIN_SECONDS, `${label}: max-age ${m[1]}`);
	});

	test(`${label}_over_http_carries_the_security_headers_but_no_hsts`, async () => {
		const r = await fetch(env.PESASWAP_API_URL + path,
		    { redirect: 'manual', ...init });
		await r.arrayBuffer();
		checkSecurityHeaders(label, r.headers);
		assert.equal(r.headers.get('strict-transport-security'), null,
		    `${label}: HSTS over plain HTTP`);
	});
}

test('api_answers_forbid_everything_in_their_csp', async () => {
	const r = await fetch(`${env.PESASWAP_API_URL}/v1/customers`);
	assert.equal(r.headers.get('content-security-policy'), API_CSP);
});

test('nginx_refusals_of_malformed_requests_carry_the_security_headers', async () => {
	for (const [method, path, headers] of [
		['GET', '/v1/customers%00', []],
		['GET', '/v1/customers', [['X-Big', 'a'.repeat(64 * 1024)]]],
		['TRACE', '/v1/customers', []],
	]) {
		const r = await rawCall(method, path, headers);
		for (const [name, value] of Object.entries(SECURITY))
			assert.equal(r.header(name), value, `${method} ${path}: ${name}`);
		assert.equal(r.header('content-security-policy'), API_CSP);
		assert.equal(r.header('strict-transport-security'), null);
	}
});

test('no_server_version_is_disclosed', async () => {
	for (const url of [env.PESASWAP_API_URL, env.PESASWAP_HTTPS_URL]) {
		const r = await fetch(`${url}/v1/nothing`);
		await r.arrayBuffer();
		assert.equal(r.headers.get('server'), 'nginx');
		assert.equal(r.headers.get('x-powered-by'), null);
	}
});
