// The load generator of the fault tests: CLIENTS concurrent clients write
// customers and payments through nginx, as a well-behaved client does
// (API.md "Idempotency"): each logical request has its own
// Idempotency-Key, and a 5xx, a 429 or a dropped connection is retried
// with the same key and the same body after a random 50-500 ms, until a
// final answer or a time budget runs out.
//
// Payments go to a customer of the same client (one whose creation was
// answered 200) or to none; some are declined (pm_card_chargeDeclined:
// 402, the payment recorded in error.payment). Every body carries its key
// in metadata[req], so the checks find each object by the request that
// made it.
import { randomBytes } from 'node:crypto';
import { env } from '../../lib/stack.mjs';
import { sleep } from './procs.mjs';

const CURRENCIES = ['usd', 'kes', 'eur'];
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 500;

/** True for the answers a client retries with the same key. */
export function retryable(status) {
	return status === 0 || status === 429 || status >= 500;
}

// One attempt: { status (0: no answer), json, error, t0, t1, retryAfter }.
async function attempt(path, key, idemKey, body, timeoutMs) {
	const t0 = Date.now();
	try {
		const res = await fetch(env.PESASWAP_API_URL + path, {
			method: 'POST',
			headers: { authorization: `Bearer ${key}`,
			    'content-type': 'application/json',
			    'idempotency-key': idemKey },
			body,
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch { /* nginx's own 502 page */ }
		return { status: res.status, json, t0, t1: Date.now(),
		    replayed: res.headers.get('idempotent-replayed') === 'true',
		    retryAfter: res.headers.get('retry-after') };
	} catch (e) {
		return { status: 0, error: String(e.cause?.code ?? e.name ?? e),
		    t0, t1: Date.now() };
	}
}

/**
 * Sends one logical request until it gets a final answer or BUDGET_MS
 * pass; updates and returns REC ({path, key, idemKey, body, status, id,
 * attempts, tries: [{t0, t1, status, retryAfter}], error}).
 */
export async function send(rec, { budgetMs = 60000, timeoutMs = 20000 } = {}) {
	const end = Date.now() + budgetMs;
	for (;;) {
		const a = await attempt(rec.path, rec.key, rec.idemKey, rec.body,
		    timeoutMs);
		rec.attempts++;
		rec.tries.push({ t0: a.t0, t1: a.t1, status: a.status,
		    retryAfter: a.retryAfter });
		rec.status = a.status;
		rec.error = a.error ?? a.json?.error?.code;
		rec.replayed = a.replayed;
		if (a.status === 200)
			rec.id = a.json?.id;
		else if (a.status === 402)
			rec.id = a.json?.error?.payment?.id;
		if (!retryable(a.status) || Date.now() > end)
			return rec;
		const backoff = Math.min(BACKOFF_MAX_MS,
		    BACKOFF_MIN_MS * 2 ** Math.min(rec.attempts - 1, 4));
		await sleep(BACKOFF_MIN_MS + Math.random() * (backoff - BACKOFF_MIN_MS));
	}
}

/** True when REC's write was acknowledged: 200, or 402 with its payment. */
export const acknowledged = (rec) =>
    (rec.status === 200 || rec.status === 402) && typeof rec.id === 'string';

function pick(a) {
	return a[Math.floor(Math.random() * a.length)];
}

// The next logical request of a client: a customer (always the first, so
// payments have one to go to), else mostly payments.
function nextRequest(c, tag) {
	// letters only after the numbers: a long run of digits would look
	// like a card number (400 sensitive_data_rejected)
	const idemKey = `${tag}-${c.n}-${c.seq++}-` + [...randomBytes(10)]
	    .map((b) => String.fromCharCode(97 + b % 26)).join('');
	const mine = c.customers;
	if (mine.length === 0 || Math.random() < 0.3)
		return { kind: 'customer', path: '/v1/customers', idemKey,
		    body: JSON.stringify({ name: `Fault ${idemKey}`,
		    email: `${idemKey}@example.com`, metadata: { req: idemKey } }) };
	const body = { amount: 100 + Math.floor(Math.random() * 9900),
	    currency: pick(CURRENCIES), metadata: { req: idemKey } };
	if (Math.random() < 0.6)
		body.customer = pick(mine);
	const r = Math.random();
	if (r < 0.2)
		body.payment_method = 'pm_card_chargeDeclined';
	else if (r < 0.6)
		body.payment_method = 'pm_card_visa';
	return { kind: 'payment', path: '/v1/payments', idemKey,
	    body: JSON.stringify(body), customer: body.customer ?? null,
	    amount: body.amount, currency: body.currency,
	    declined: body.payment_method === 'pm_card_chargeDeclined' };
}

/**
 * Runs the load: one client per key of KEYS, each sending at most RATE
 * logical requests a second, until DURATION_MS pass or MAX_REQUESTS
 * logical requests have started (all clients together). Returns the
 * records of every logical request (see send()).
 */
export async function runLoad({ keys, tag, durationMs = 25000,
    maxRequests = 3000, rate = 15, budgetMs = 60000, timeoutMs = 20000 }) {
	const records = [];
	const start = Date.now();
	const stopAt = start + durationMs;
	async function client(n, key) {
		const c = { n, seq: 0, customers: [] };
		while (Date.now() < stopAt && records.length < maxRequests) {
			const due = start + c.seq * (1000 / rate);
			if (due > Date.now())
				await sleep(due - Date.now());
			const rec = { ...nextRequest(c, tag), key, status: null,
			    id: null, attempts: 0, tries: [], error: null };
			records.push(rec);
			await send(rec, { budgetMs, timeoutMs });
			if (rec.kind === 'customer' && rec.status === 200)
				c.customers.push(rec.id);
		}
	}
	await Promise.all(keys.map((k, i) => client(i, k)));
	return records;
}

/**
 * Sends again, one at a time, every record without a final answer (its
 * budget ran out during the fault), with the same key and body: a client
 * that keeps retrying gets exactly one object. Returns how many.
 */
export async function settle(records, opts = {}) {
	let n = 0;
	for (const rec of records)
		if (rec.status === null || retryable(rec.status)) {
			await send(rec, { budgetMs: 30000, ...opts });
			n++;
		}
	return n;
}
