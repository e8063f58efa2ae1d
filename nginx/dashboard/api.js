// The API client of the dashboard: same origin, the session cookie
// (HttpOnly, so never seen here), the CSRF token on every write and the
// mode of the "Test data" toggle (dashboard contract).
//
// The session object, with its csrf_token, lives in this module's memory
// only: never in localStorage, sessionStorage or the URL. After a reload
// GET /v1/dashboard/session gives it again.

let session = null;
let live = false;
let onSessionLost = () => {};

/** An API error answer: status, code, param, message, retryAfter. */
export class ApiError extends Error {
	constructor(status, body, retryAfter) {
		const e = (body && body.error) || {};
		super(e.message || `The request failed (HTTP ${status}).`);
		this.status = status;
		this.code = e.code || null;
		this.param = e.param || null;
		this.retryAfter = retryAfter;
	}
}

export function currentSession() {
	return session;
}

export function isLive() {
	return live;
}

/** Test data on (false) or off (true): the PesaSwap-Mode header. */
export function setLive(on) {
	live = Boolean(on);
}

/** FN runs when the API says the session ended (401). */
export function whenSessionLost(fn) {
	onSessionLost = fn;
}

function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {}))
		if (v !== undefined && v !== null && v !== '')
			q.set(k, String(v));
	const s = q.toString();
	return s ? `?${s}` : '';
}

/* The request's headers: mode, CSRF token on writes, TYPE of the body. */
function headersFor(method, path, type) {
	const headers = { Accept: 'application/json' };
	const write = method !== 'GET' && method !== 'HEAD';
	if (!path.startsWith('/v1/dashboard/session'))
		headers['PesaSwap-Mode'] = live ? 'live' : 'test';
	if (write && session)
		headers['X-CSRF-Token'] = session.csrf_token;
	if (type)
		headers['Content-Type'] = type;
	return headers;
}

/**
 * One call: METHOD PATH with {params} in the query string and {body} as
 * JSON (or {raw} sent as {type}, a file). Resolves to the parsed answer;
 * rejects with ApiError.
 */
export async function call(method, path, { params, body, raw, type,
    signal } = {}) {
	const headers = headersFor(method, path, body !== undefined ?
	    'application/json' : type);
	const res = await fetch(path + query(params), {
		method, headers, signal, credentials: 'same-origin',
		cache: 'no-store',
		body: body === undefined ? raw : JSON.stringify(body),
	});
	return answer(res, path);
}

/* The parsed answer of RES, or an ApiError. */
async function answer(res, path) {
	const sessionRoute = path.startsWith('/v1/dashboard/session');
	let json = null;
	try {
		json = await res.json();
	} catch {
		json = null;
	}
	if (res.ok)
		return json;
	const err = new ApiError(res.status, json,
	    Number(res.headers.get('Retry-After')) || null);
	if (res.status === 401 && session && !sessionRoute) {
		session = null;
		onSessionLost(err);
	}
	throw err;
}

/**
 * uri`/v1/customers/${id}/analytics`: the path with every interpolated
 * value URL-encoded, so an id never changes the path's shape.
 */
export function uri(strings, ...values) {
	return strings.reduce((out, s, i) => out +
	    encodeURIComponent(values[i - 1]) + s);
}

/**
 * GET PATH as a file: resolves to {blob, filename} (the
 * Content-Disposition's name); rejects with ApiError.
 */
export async function download(path, params) {
	const res = await fetch(path + query(params), {
		headers: headersFor('GET', path), credentials: 'same-origin',
		cache: 'no-store' });
	if (!res.ok)
		return answer(res, path);
	const m = /filename="([^"]+)"/.exec(
	    res.headers.get('Content-Disposition') || '');
	return { blob: await res.blob(), filename: m ? m[1] : 'download' };
}

export const get = (path, params, signal) => call('GET', path,
    { params, signal });
export const post = (path, body) => call('POST', path, { body });
export const del = (path) => call('DELETE', path);

/** The session of the cookie, or null when there is none (the API
 * answers {signed_in: false} then, not an error). */
export async function resumeSession() {
	const s = await get('/v1/dashboard/session');
	session = s && s.signed_in !== false ? s : null;
	return session;
}

export async function signIn(email, password) {
	session = await call('POST', '/v1/dashboard/session',
	    { body: { email, password } });
	return session;
}

/** Ends the session server-side; forgets it here whatever the answer. */
export async function signOut() {
	try {
		await call('DELETE', '/v1/dashboard/session');
	} finally {
		session = null;
	}
}
