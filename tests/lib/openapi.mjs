// Checks API responses against openapi.yaml at the top of the repository,
// and call(): one HTTP request to the stack whose answer is always checked
// (JSON content type, Request-Id, the documented schema for that method,
// route and status, the error's request_id, Stripe-Should-Retry on 4xx).
// A mismatch throws an AssertionError, so the calling test fails.
//
// Schemas are OpenAPI 3.0: "nullable: true" is turned into a JSON Schema
// type array here, refs to #/components/schemas/X become refs into one
// Ajv schema holding them all.

import { readFileSync } from 'node:fs';
import assert, { AssertionError } from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import YAML from 'yaml';
import Ajv from 'ajv';
import { fetchPolitely } from './stack.mjs';

export const SPEC_FILE = new URL('../../openapi.yaml', import.meta.url);
export const spec = YAML.parse(readFileSync(SPEC_FILE, 'utf8'));

const SCHEMA_ID = 'openapi';

// OpenAPI 3.0 schema object -> JSON Schema (draft-07 as Ajv 8 takes it).
function convert(node) {
	if (Array.isArray(node))
		return node.map(convert);
	if (node === null || typeof node !== 'object')
		return node;
	const out = {};
	for (const [k, v] of Object.entries(node)) {
		if (k === 'nullable' || k === 'example' || k === 'examples' ||
		    k === 'xml' || k === 'externalDocs' || k === 'discriminator')
			continue;
		if (k === '$ref' && typeof v === 'string' &&
		    v.startsWith('#/components/schemas/')) {
			out.$ref = `${SCHEMA_ID}#/definitions/` +
			    v.slice('#/components/schemas/'.length);
			continue;
		}
		if (k === 'properties' || k === 'definitions' ||
		    k === 'patternProperties') {
			out[k] = Object.fromEntries(Object.entries(v).map(
			    ([name, s]) => [name, convert(s)]));
			continue;
		}
		out[k] = convert(v);
	}
	if (node.nullable === true) {
		if (typeof out.type === 'string')
			out.type = [out.type, 'null'];
		else if (Array.isArray(out.type) && !out.type.includes('null'))
			out.type = [...out.type, 'null'];
		if (Array.isArray(out.enum) && !out.enum.includes(null))
			out.enum = [...out.enum, null];
	}
	return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({
	$id: SCHEMA_ID,
	definitions: Object.fromEntries(Object.entries(
	    spec.components?.schemas ?? {}).map(([n, s]) => [n, convert(s)])),
});

function deref(obj) {
	// Follows a local $ref ("#/components/responses/X") in the spec.
	let seen = 0;
	while (obj && typeof obj.$ref === 'string' && seen++ < 10) {
		const parts = obj.$ref.replace(/^#\//, '').split('/')
		    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
		obj = parts.reduce((o, p) => (o == null ? o : o[p]), spec);
	}
	return obj;
}

// Path templates, literal ones first so /v1/customers/search wins over
// /v1/customers/{id}.
const routes = Object.keys(spec.paths ?? {})
    .map((tpl) => ({
	tpl,
	params: (tpl.match(/\{[^}]+\}/g) ?? []).length,
	re: new RegExp('^' + tpl.split(/(\{[^}]+\})/).map((part) =>
	    part.startsWith('{') ? '([^/]+)' :
	    part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('') + '$'),
    }))
    .sort((a, b) => a.params - b.params);

/** The spec's path template that a concrete path matches, or null. */
export function routeOf(path) {
	const p = String(path).split('?')[0].split('#')[0];
	for (const r of routes)
		if (r.re.test(p))
			return r.tpl;
	return null;
}

const compiled = new Map();
function validatorFor(key, schema) {
	let v = compiled.get(key);
	if (!v) {
		v = ajv.compile(convert(schema));
		compiled.set(key, v);
	}
	return v;
}

const errorSchema = { $ref: '#/components/schemas/Error' };

/**
 * Validates one response body. Returns { ok, route, errors } where errors
 * is a list of human-readable strings. "route" may be a path template or a
 * concrete path; unknown routes and methods may only answer errors.
 */
export function validateResponse({ method, route, status, body }) {
	const m = String(method || 'GET').toLowerCase();
	const tpl = spec.paths?.[route] ? route : routeOf(route);
	const op = tpl ? spec.paths[tpl][m] : undefined;
	let schema, key;
	if (!op) {
		if (status < 400)
			return { ok: false, route: tpl, errors: [
			    `${m.toUpperCase()} ${route} answered ${status}, but ` +
			    'openapi.yaml documents no such operation'] };
		schema = errorSchema;
		key = 'Error';
	} else {
		const responses = op.responses ?? {};
		// A success must be documented by its own status; errors may
		// fall back on the default (the Error envelope).
		const resp = deref(responses[String(status)] ??
		    responses[`${String(status)[0]}XX`] ??
		    (status >= 400 ? responses.default : undefined));
		if (!resp)
			return { ok: false, route: tpl, errors: [
			    `status ${status} is not documented for ` +
			    `${m.toUpperCase()} ${tpl}`] };
		const media = resp.content?.['application/json'];
		if (!media)
			return { ok: body === undefined || body === null,
			    route: tpl, errors: ['no JSON body documented'] };
		schema = media.schema;
		key = `${m} ${tpl} ${status}`;
	}
	const validate = validatorFor(key, schema);
	if (validate(body))
		return { ok: true, route: tpl, errors: [] };
	return {
		ok: false, route: tpl,
		errors: validate.errors.map((e) =>
		    `${e.instancePath || '(body)'} ${e.message}` +
		    (e.params && Object.keys(e.params).length ?
		    ' ' + JSON.stringify(e.params) : '')),
	};
}

function header(headers, name) {
	if (!headers)
		return null;
	if (typeof headers.get === 'function')
		return headers.get(name);
	const k = Object.keys(headers).find(
	    (h) => h.toLowerCase() === name.toLowerCase());
	return k === undefined ? null : headers[k];
}

/**
 * Checks a response as every API answer must be. "res" is
 * { status, headers, json, text } (the shape of stack.mjs's api() and of
 * call()). Throws AssertionError on any mismatch.
 */
export function checkResponse(method, path, res, { route } = {}) {
	const where = `${String(method).toUpperCase()} ${path} -> ${res.status}`;
	const problems = [];
	const ctype = header(res.headers, 'content-type') ?? '';
	if (!/^application\/json\s*(;|$)/i.test(ctype))
		problems.push(`Content-Type is "${ctype}", not application/json`);
	const rid = header(res.headers, 'request-id');
	if (!rid || !/^req_[0-9A-Za-z]+$/.test(rid))
		problems.push(`Request-Id header is "${rid}"`);
	if (res.json === undefined)
		problems.push('the body is not JSON: ' +
		    JSON.stringify(String(res.text ?? '').slice(0, 300)));
	else {
		const v = validateResponse({ method, route: route ?? path,
		    status: res.status, body: res.json });
		if (!v.ok)
			problems.push(`the body does not match openapi.yaml` +
			    ` (${v.route ?? 'no route'}): ${v.errors.join('; ')}`);
		const err = res.json && res.json.error;
		// A replay is the first answer byte for byte, request_id included.
		const replayed = header(res.headers, 'idempotent-replayed') === 'true';
		if (err && typeof err === 'object' && rid && !replayed &&
		    err.request_id !== rid)
			problems.push(`error.request_id ${err.request_id} is not ` +
			    `the Request-Id header ${rid}`);
		if (res.status >= 400 && res.status < 500 && res.status !== 429 &&
		    !(err && err.code === 'idempotency_key_in_use')) {
			const retry = header(res.headers, 'stripe-should-retry');
			if (retry !== 'false')
				problems.push('4xx without Stripe-Should-Retry: ' +
				    `false (got ${JSON.stringify(retry)})`);
		}
		if (res.status < 400 && err !== undefined)
			problems.push('a success carries an "error" member');
	}
	if (problems.length)
		throw new AssertionError({
			message: `${where}: ${problems.join('; ')}\nbody: ` +
			    String(res.text ?? '').slice(0, 1000),
		});
	return res;
}

export const baseUrl = () =>
    (process.env.PESASWAP_API_URL ?? 'http://127.0.0.1:8080')
    .replace(/\/+$/, '');

/** Bracket-notation form encoding, as Stripe clients send it. */
export function formEncode(obj, prefix = '') {
	const parts = [];
	const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
	for (const [k, v] of Object.entries(obj)) {
		const name = prefix ? `${prefix}[${k}]` : k;
		if (v !== null && typeof v === 'object')
			parts.push(...(Object.keys(v).length ?
			    [formEncode(v, name)] : []));
		else
			parts.push(`${enc(name)}=${enc(v ?? '')}`);
	}
	return parts.filter((p) => p !== '').join('&');
}

/**
 * One request to the API, checked by checkResponse().
 *   path     "/v1/customers?limit=3" (relative to PESASWAP_API_URL)
 *   method   default GET
 *   key      sent as "Authorization: Bearer <key>"
 *   basic    sent as HTTP Basic "<basic>:" (curl -u key:)
 *   json     object (or string) sent as application/json
 *   form     object (bracket notation) or string, sent form-encoded
 *   body     raw body (string, Buffer, Uint8Array) as is; set the
 *            Content-Type in headers yourself
 *   headers  extra headers
 *   check    false to skip the checks (for a raw look)
 *   route    the route template to check against when path is ambiguous
 *   signal   an AbortSignal (e.g. AbortSignal.timeout(ms))
 *   retry429 false to get a 429 back instead of waiting and sending again
 * Returns { status, headers (a Headers), json (undefined if not JSON), text }.
 */
export async function call(path, opts = {}) {
	const { method = 'GET', key, basic, json, form, body,
	    headers = {}, check = true, route, signal, retry429 = true } = opts;
	const h = { ...headers };
	const has = (n) => Object.keys(h).some((k) => k.toLowerCase() === n);
	if (key !== undefined && !has('authorization'))
		h.Authorization = `Bearer ${key}`;
	if (basic !== undefined && !has('authorization'))
		h.Authorization = 'Basic ' +
		    Buffer.from(`${basic}:`).toString('base64');
	let payload = body;
	if (json !== undefined) {
		payload = typeof json === 'string' ? json : JSON.stringify(json);
		if (!has('content-type'))
			h['Content-Type'] = 'application/json';
	} else if (form !== undefined) {
		payload = typeof form === 'string' ? form : formEncode(form);
		if (!has('content-type'))
			h['Content-Type'] = 'application/x-www-form-urlencoded';
	}
	const res = await fetchPolitely(baseUrl() + path, {
		method, headers: h, body: payload, redirect: 'manual', signal,
	}, { retry429 });
	const text = await res.text();
	let parsed;
	try {
		parsed = text === '' ? undefined : JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	const out = { status: res.status, headers: res.headers, json: parsed,
	    text };
	if (check)
		checkResponse(method, path, out, { route });
	return out;
}

// ---- small assertion helpers shared by tests/api/*.test.mjs ----

let counter = 0;
/** A string unique in this run: prefix + time + counter + random. */
export function uniq(prefix = 'u') {
	return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}` +
	    randomBytes(3).toString('hex');
}
/** A unique, valid email address. */
export const uniqEmail = (prefix = 'c') => `${uniq(prefix)}@example.com`;

/**
 * Asserts an error answer: status, type, code and param. param undefined:
 * not checked; null: must be absent (the contract sends param only when a
 * parameter is concerned).
 */
export function expectError(res, status, type, code, param) {
	const ctx = `${res.status} ${res.text?.slice(0, 500)}`;
	assert.equal(res.status, status, `status; body ${ctx}`);
	assert.ok(res.json && res.json.error, `no error envelope: ${ctx}`);
	const e = res.json.error;
	assert.equal(e.type, type, `error.type; body ${ctx}`);
	if (Array.isArray(code))
		assert.ok(code.includes(e.code), `error.code ${e.code} not in ` +
		    `${code.join('|')}; body ${ctx}`);
	else
		assert.equal(e.code, code, `error.code; body ${ctx}`);
	if (param === null)
		assert.ok(!('param' in e), `error.param should be absent: ${ctx}`);
	else if (param !== undefined)
		assert.equal(e.param, param, `error.param; body ${ctx}`);
	assert.doesNotMatch(e.message, /\b(SQL|mysql|mariadb|errno|syntax error|segfault|\.c:\d+)\b/i,
	    'the message leaks internals');
	return e;
}

/** Asserts a 200 and returns the JSON body. */
export function expectOk(res, status = 200) {
	assert.equal(res.status, status,
	    `expected ${status}, got ${res.status}: ${res.text?.slice(0, 500)}`);
	return res.json;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the clock is past the second after "t" (Unix seconds) by a
 * margin: the server stamps objects with time(), which reads a coarse
 * clock that may lag Date.now() by a few milliseconds.
 */
export async function afterSecond(t) {
	while (Date.now() / 1000 <= t + 1.05)
		await sleep(50);
}
