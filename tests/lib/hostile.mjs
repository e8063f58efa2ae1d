// Shared by the hostile-input suites (tests/api/hostile_*.test.mjs,
// secrets, tls; issue 7 "Hostile input"): a raw HTTP/1.1 client over
// node:net for what fetch() will not send (a lying Content-Length, a slow
// sender, a CR or a megabyte in a header, a request line nginx cannot
// read), and a snapshot of what an account holds, so a test can prove
// that a refused request changed nothing.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { env } from './stack.mjs';
import { call, expectOk } from './openapi.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** nginx's plain-HTTP port of the stack under test. */
export const httpPort = () => Number(new URL(env.PESASWAP_API_URL).port);

/**
 * Writes "parts" to a new connection to nginx, in order: a string or
 * Buffer is sent, a number pauses that many ms. Then reads until the
 * server closes, or "timeoutMs" after the last write. Returns
 * { data (Buffer), closed ('end', 'reset' or 'timeout'), ms (from the
 * last write to the close), writeError (the server closed while we
 * were still sending) }.
 */
export function rawExchange(parts, { timeoutMs = 5000 } = {}) {
	return new Promise((resolve) => {
		const sock = connect(httpPort(), '127.0.0.1');
		const chunks = [];
		let lastWrite = Date.now();
		let done = false, writeError = false, timer;
		const finish = (closed) => {
			if (done)
				return;
			done = true;
			clearTimeout(timer);
			sock.destroy();
			resolve({ data: Buffer.concat(chunks), closed,
			    ms: Date.now() - lastWrite, writeError });
		};
		sock.on('data', (d) => chunks.push(d));
		sock.on('end', () => finish('end'));
		sock.on('close', () => finish('end'));
		sock.on('error', (e) => {
			if (e.code === 'ECONNRESET' || e.code === 'EPIPE')
				finish('reset');
			else
				finish(`error ${e.code}`);
		});
		sock.on('connect', async () => {
			for (const p of parts) {
				if (done)
					break;
				if (typeof p === 'number') {
					await sleep(p);
					continue;
				}
				const ok = await new Promise((res) =>
				    sock.write(p, (err) => res(!err)));
				if (!ok) {
					writeError = true;
					break;
				}
				lastWrite = Date.now();
			}
			if (!done)
				timer = setTimeout(() => finish('timeout'), timeoutMs);
		});
	});
}

/**
 * The bytes of one HTTP/1.1 request: "Host" and "Connection: close" are
 * added unless given; "headers" is a list of [name, value] pairs sent
 * as they are (no checks), "body" a string or Buffer sent after them
 * with its Content-Length unless "headers" names one.
 */
export function rawRequest(method, path, headers = [], body) {
	const h = [...headers];
	const has = (n) => h.some(([k]) => k.toLowerCase() === n);
	if (!has('host'))
		h.unshift(['Host', '127.0.0.1']);
	if (!has('connection'))
		h.push(['Connection', 'close']);
	if (body !== undefined && !has('content-length'))
		h.push(['Content-Length', String(Buffer.byteLength(body))]);
	const head = `${method} ${path} HTTP/1.1\r\n` +
	    h.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
	return body === undefined ? Buffer.from(head, 'latin1') :
	    Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
}

/**
 * The responses in "data", in order: { status, headers (an array of
 * [lower-case name, value]), header(name) (the first value or null),
 * body (Buffer), json (parsed, or undefined) }. Bodies are framed by
 * Content-Length, as nginx sends every answer of this stack.
 */
export function parseResponses(data) {
	const out = [];
	let off = 0;
	while (off < data.length) {
		const end = data.indexOf('\r\n\r\n', off);
		if (end === -1)
			break;
		const lines = data.subarray(off, end).toString('latin1')
		    .split('\r\n');
		const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
		if (!m)
			break;
		const headers = lines.slice(1).map((l) => {
			const i = l.indexOf(':');
			return [l.slice(0, i).trim().toLowerCase(),
			    l.slice(i + 1).trim()];
		});
		const header = (n) => headers.find(([k]) => k === n)?.[1] ?? null;
		const len = Number(header('content-length') ?? data.length - end - 4);
		const body = data.subarray(end + 4, end + 4 + len);
		let json;
		try {
			json = JSON.parse(body.toString('utf8'));
		} catch {
			json = undefined;
		}
		out.push({ status: Number(m[1]), headers, header, body, json });
		off = end + 4 + len;
	}
	return out;
}

/**
 * One request over a raw connection; its first response (or null). A 429
 * of the per-key rate limit is sent again after its Retry-After, as
 * fetchPolitely() does (nginx answers it before any worker sees it).
 */
export async function rawCall(method, path, headers, body, opts) {
	for (let tries = 0; ; tries++) {
		const r = await rawExchange([rawRequest(method, path, headers,
		    body)], opts);
		const res = parseResponses(r.data)[0] ?? null;
		if (res?.status !== 429 || tries >= 50)
			return res;
		await sleep(Math.min(Number(res.header('retry-after')) || 1, 2) *
		    1000 * (0.5 + Math.random() / 2));
	}
}

/**
 * What the account of "key" holds, as ids newest first: customers,
 * payments and events (every write makes an event, an update too), so
 * two equal snapshots mean nothing was written in between.
 */
export async function accountState(key) {
	const ids = async (path) =>
	    expectOk(await call(path, { key })).data.map((o) => o.id);
	return {
		customers: await ids('/v1/customers?limit=100'),
		payments: await ids('/v1/payments?limit=100'),
		events: await ids('/v1/events?limit=100'),
	};
}

/** Runs "fn" and asserts accountState(key) is the same before and after. */
export async function unchanged(key, fn) {
	const before = await accountState(key);
	const result = await fn();
	assert.deepEqual(await accountState(key), before,
	    'the account changed');
	return result;
}
