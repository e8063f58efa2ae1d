// The FastCGI layer itself (libfcgi in the workers, README "How it is
// built"), spoken to directly on the workers' socket, where nginx's own
// limits do not stand in front: a request is answered as through nginx, a
// body over the limit answers 413 and writes nothing, a body cut short or
// a stream of garbage is dropped without an answer and writes nothing, and
// the workers go on serving afterwards.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { env, newAccount } from '../lib/stack.mjs';
import { call, expectOk, uniqEmail } from '../lib/openapi.mjs';
import { unchanged } from '../lib/hostile.mjs';

const SOCKET = join(env.PESASWAP_VAR, 'run', 'fcgi.sock');
const BODY_LIMIT = Number(env.PESASWAP_BODY_LIMIT) || 65536;
const BEGIN_REQUEST = 1, END_REQUEST = 3, PARAMS = 4, STDIN = 5, STDOUT = 6;
const RESPONDER = 1;

let acct;
before(async () => {
	acct = await newAccount('api-fastcgi');
});

// One FastCGI record of request 1 (FastCGI 1.0, section 3.3).
function record(type, content = Buffer.alloc(0)) {
	const head = Buffer.alloc(8);
	head.writeUInt8(1, 0);
	head.writeUInt8(type, 1);
	head.writeUInt16BE(1, 2);
	head.writeUInt16BE(content.length, 4);
	return Buffer.concat([head, content]);
}

// A name-value pair with 1- or 4-byte lengths (section 3.4).
function pair(name, value) {
	const len = (n) => {
		if (n < 128)
			return Buffer.from([n]);
		const b = Buffer.alloc(4);
		b.writeUInt32BE(n | 0x80000000);
		return b;
	};
	const n = Buffer.from(name), v = Buffer.from(value);
	return Buffer.concat([len(n.length), len(v.length), n, v]);
}

// STDIN records of at most 65535 bytes each.
function stdin(body) {
	const out = [];
	for (let i = 0; i < body.length; i += 65535)
		out.push(record(STDIN, body.subarray(i, i + 65535)));
	return out;
}

// The bytes of a whole request as nginx sends them: begin, params, body,
// the empty STDIN record that ends it.
function request(method, path, body = Buffer.alloc(0), headers = {}) {
	const params = Buffer.concat(Object.entries({
		REQUEST_METHOD: method, REQUEST_URI: path, QUERY_STRING: '',
		CONTENT_LENGTH: String(body.length),
		CONTENT_TYPE: body.length ? 'application/json' : '',
		HTTP_AUTHORIZATION: `Bearer ${acct.testKey}`, ...headers,
	}).map(([k, v]) => pair(k, v)));
	const begin = Buffer.alloc(8);
	begin.writeUInt16BE(RESPONDER, 0);
	return Buffer.concat([record(BEGIN_REQUEST, begin), record(PARAMS, params),
	    record(PARAMS), ...stdin(body), record(STDIN)]);
}

/**
 * Sends "bytes" on a new connection to the workers (then half-closes if
 * "end"), and collects what comes back until the worker closes: {stdout,
 * ended} where ended says an END_REQUEST record came.
 */
function exchange(bytes, { end = false, timeoutMs = 10000 } = {}) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		const sock = connect(SOCKET);
		const timer = setTimeout(() => {
			sock.destroy();
			reject(new Error('the worker did not close the connection'));
		}, timeoutMs);
		sock.on('connect', () => (end ? sock.end(bytes) : sock.write(bytes)));
		sock.on('data', (d) => chunks.push(d));
		sock.on('error', () => {});
		sock.on('close', () => {
			clearTimeout(timer);
			resolve(parseRecords(Buffer.concat(chunks)));
		});
	});
}

function parseRecords(buf) {
	let stdout = Buffer.alloc(0), ended = false;
	for (let i = 0; i + 8 <= buf.length;) {
		const type = buf[i + 1], len = buf.readUInt16BE(i + 4), pad = buf[i + 6];
		if (type === STDOUT)
			stdout = Buffer.concat([stdout, buf.subarray(i + 8, i + 8 + len)]);
		if (type === END_REQUEST)
			ended = true;
		i += 8 + len + pad;
	}
	return { stdout: stdout.toString(), ended };
}

// The CGI answer: status and the JSON body.
function cgi(stdout) {
	const [head, body] = stdout.split('\r\n\r\n');
	return { status: Number(/^Status: (\d+)/m.exec(head)?.[1]),
	    head, json: body ? JSON.parse(body) : undefined };
}

const createBody = (extra = '') => Buffer.from(JSON.stringify({
	name: 'FastCGI', email: uniqEmail('fcgi') }).slice(0, -1) + extra + '}');

test('a_request_on_the_socket_is_answered_as_through_nginx', async () => {
	const r = await exchange(request('POST', '/v1/customers', createBody()));
	assert.ok(r.ended, 'no END_REQUEST');
	const a = cgi(r.stdout);
	assert.equal(a.status, 200, r.stdout.slice(0, 300));
	assert.match(a.head, /^Request-Id: req_/m);
	assert.equal(a.json.object, 'customer');
	const back = expectOk(await call(`/v1/customers/${a.json.id}`,
	    { key: acct.testKey }));
	assert.equal(back.name, 'FastCGI');
});

test('a_body_over_the_limit_answers_413_and_writes_nothing', async () => {
	const pad = `, "description": "${'x'.repeat(BODY_LIMIT)}"`;
	const r = await unchanged(acct.testKey, () =>
	    exchange(request('POST', '/v1/customers', createBody(pad))));
	const a = cgi(r.stdout);
	assert.equal(a.status, 413, r.stdout.slice(0, 300));
	assert.equal(a.json.error.code, 'body_too_large');
});

test('a_body_exactly_at_the_limit_is_read_whole', async () => {
	const base = createBody();
	const body = Buffer.concat([base.subarray(0, base.length - 1),
	    Buffer.from(' '.repeat(BODY_LIMIT - base.length)), Buffer.from('}')]);
	assert.equal(body.length, BODY_LIMIT);
	const a = cgi((await exchange(request('POST', '/v1/customers', body))).stdout);
	assert.equal(a.status, 200);
	assert.equal(a.json.object, 'customer');
});

test('a_body_cut_short_is_not_acted_on', async () => {
	const whole = request('POST', '/v1/customers', createBody());
	// Everything but the end of the body: the last data byte and the
	// empty STDIN record never come, and the peer goes away.
	const cut = whole.subarray(0, whole.length - 8 - 1);
	const r = await unchanged(acct.testKey, () => exchange(cut, { end: true }));
	assert.equal(r.stdout, '', 'a cut request was answered');
});

test('garbage_on_the_socket_is_dropped_and_writes_nothing', async () => {
	const garbage = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(20));
	const r = await unchanged(acct.testKey, () =>
	    exchange(garbage, { end: true }));
	assert.equal(r.stdout, '');
});

test('the_workers_still_answer_after_the_hostile_connections', async () => {
	for (let i = 0; i < 5; i++) {
		const a = cgi((await exchange(request('GET', '/v1/customers'))).stdout);
		assert.equal(a.status, 200);
		assert.equal(a.json.object, 'list');
	}
});
