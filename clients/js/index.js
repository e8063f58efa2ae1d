// @pesaswap/node: the stock `stripe` package pointed at a PesaSwap
// Customers service, plus what PesaSwap has and Stripe does not:
// payments, payment schedules, a customer's analytics, duplicates and
// merges, customer export and import, and webhooks signed in a
// PesaSwap-Signature header.
//
// Everything goes through Stripe's own machinery: the new resources are
// StripeResource subclasses whose methods call its _makeRequest (the same
// request encoding, retries with Idempotency-Key, error classes and
// auto-pagination as stripe.customers), and signatures are checked by
// Stripe's webhook code, since PesaSwap signs as Stripe does (README
// "Webhooks"). Nothing here speaks HTTP itself.
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';

const PKG = JSON.parse(readFileSync(new URL('./package.json',
    import.meta.url), 'utf8'));
const SIGNATURE_HEADER = 'PesaSwap-Signature';

// --------------------------------------------------------------- the host

function configError(why) {
	return new Error(`${PKG.name}: ${why}`);
}

function urlError(apiUrl, why) {
	return configError(`the API URL "${apiUrl}" ${why}`);
}

// "https://api.example.com:8443" -> { host, port, protocol } as Stripe
// takes them. Stripe sends every request to /v1/... at the root of its
// host, so a URL with a path, query or credentials cannot be honoured.
function hostOf(apiUrl) {
	let u;

	try {
		u = new URL(apiUrl);
	} catch {
		throw urlError(apiUrl, 'is not an absolute URL');
	}
	if (u.protocol !== 'http:' && u.protocol !== 'https:')
		throw urlError(apiUrl, 'is not http or https');
	if (u.pathname !== '/' || u.search !== '' || u.hash !== '' ||
	    u.username !== '' || u.password !== '')
		throw urlError(apiUrl, 'must be scheme, host and port only ' +
		    '(requests go to /v1/... on that host)');
	const protocol = u.protocol.slice(0, -1);
	return {
		host: u.hostname.replace(/^\[(.*)\]$/, '$1'),	/* IPv6 */
		port: Number(u.port || (protocol === 'https' ? 443 : 80)),
		protocol,
	};
}

// The Stripe configuration for CONFIG: the host from host/port/protocol,
// else apiUrl, else PESASWAP_API_URL. Never Stripe's default host: a
// PesaSwap key must not be sent to api.stripe.com.
function stripeConfig(config) {
	const { apiUrl, ...rest } = config;
	let where;

	if (rest.host !== undefined) {
		if (apiUrl !== undefined)
			throw configError('give apiUrl or host, not both');
		where = {};
	} else {
		const url = apiUrl ?? process.env.PESASWAP_API_URL;
		if (url === undefined || url === '')
			throw configError('no PesaSwap API URL: pass ' +
			    '{ apiUrl } or { host, port, protocol }, or set ' +
			    'PESASWAP_API_URL');
		where = hostOf(url.replace(/\/+$/, ''));
	}
	return {
		telemetry: false,	/* Stripe's metrics are Stripe's */
		appInfo: { name: PKG.name, version: PKG.version },
		...where,
		...rest,
	};
}

// -------------------------------------------------------------- resources

const path = (...parts) => parts.map(encodeURIComponent).join('/');

/** POST, GET /v1/payments[/:id] (README "Calling the API"). */
class Payments extends Stripe.StripeResource {
	create(params, options) {
		return this._makeRequest('POST', '/v1/payments', params,
		    options);
	}

	retrieve(id, params, options) {
		return this._makeRequest('GET', `/v1/payments/${path(id)}`,
		    params, options);
	}

	list(params, options) {
		return this._makeRequest('GET', '/v1/payments', params, options,
		    { methodType: 'list' });
	}
}

/** /v1/payment_schedules: a payment planned at run_at. */
class PaymentSchedules extends Stripe.StripeResource {
	create(params, options) {
		return this._makeRequest('POST', '/v1/payment_schedules',
		    params, options);
	}

	retrieve(id, params, options) {
		return this._makeRequest('GET',
		    `/v1/payment_schedules/${path(id)}`, params, options);
	}

	list(params, options) {
		return this._makeRequest('GET', '/v1/payment_schedules', params,
		    options, { methodType: 'list' });
	}

	/* DELETE, as Stripe's subscriptions.cancel: before it runs. */
	cancel(id, params, options) {
		return this._makeRequest('DELETE',
		    `/v1/payment_schedules/${path(id)}`, params, options);
	}
}

// The statuses of an import still at work: "pending" (queued, when the
// service imports in the background) and "running".
const IMPORT_BUSY = new Set(['pending', 'running']);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * /v1/customers/import and /v1/customers/imports[/:id]. The import's
 * body is the file itself (text/csv), which Stripe's form encoding cannot
 * carry: requestDataProcessor hands Stripe the bytes as they are.
 */
class CustomerImports extends Stripe.StripeResource {
	initialize() {
		this.requestDataProcessor = (method, data, headers, done) =>
		    done(null, method === 'POST' ? data.file : '');
	}

	/* FILE (a string or bytes) in mode params.mode (dry_run default). */
	create(file, params = {}, options) {
		if (typeof file !== 'string' && !(file instanceof Uint8Array))
			return Promise.reject(new TypeError(
			    'customers.import: the file must be a string or ' +
			    'bytes (a Buffer or Uint8Array) of CSV'));
		const query = new URLSearchParams(params).toString();
		return this._makeRequest('POST', '/v1/customers/import' +
		    (query ? `?${query}` : ''), { file }, options,
		    { headers: { 'Content-Type': 'text/csv' } });
	}

	retrieve(id, params, options) {
		return this._makeRequest('GET',
		    `/v1/customers/imports/${path(id)}`, params, options);
	}

	list(params, options) {
		return this._makeRequest('GET', '/v1/customers/imports', params,
		    options, { methodType: 'list' });
	}
}

/* The whole body of a response stream, as text. */
async function textOf(stream) {
	let text = '';

	stream.setEncoding('utf8');
	for await (const chunk of stream)
		text += chunk;
	return text;
}

// Stripe's customers resource with analytics(), listDuplicates(),
// merge(), export(), import() and imports; the class is made once, from
// the one Stripe gives its instances (it does not export it).
let Customers;
function customersOf(stripe) {
	Customers ??= class extends stripe.customers.constructor {
		analytics(id, params, options) {
			return this._makeRequest('GET',
			    `/v1/customers/${path(id)}/analytics`, params,
			    options);
		}

		/* Groups of likely duplicates; auto-paginated by group id. */
		listDuplicates(params, options) {
			return this._makeRequest('GET',
			    '/v1/customers/duplicates', params, options,
			    { methodType: 'list' });
		}

		/* Customer params.from goes into customer "id". */
		merge(id, params, options) {
			return this._makeRequest('POST',
			    `/v1/customers/${path(id)}/merge`, params, options);
		}

		/*
		 * The export (params: format csv or jsonl, a list's filters
		 * or a search query) as text; with Stripe's { streaming:
		 * true } option, the response stream instead, for exports
		 * too large to hold. Errors before the download are Stripe's
		 * error classes.
		 */
		async export(params, options) {
			const stream = await this._makeRequest('GET',
			    '/v1/customers/export', params, options,
			    { streaming: true });
			return options?.streaming ? stream : textOf(stream);
		}

		/* The CSV "file" imported in params.mode: the import. */
		import(file, params, options) {
			return this.imports.create(file, params, options);
		}

		/*
		 * Polls import "imp" (an id or the import object) every
		 * "interval" ms until it is neither pending nor running, and
		 * resolves to it; rejects after "timeout" ms. An import that
		 * has finished (or a dry run) is returned as it is.
		 */
		async waitForImport(imp, { interval = 500, timeout = 600000 } = {},
		    options) {
			const end = Date.now() + timeout;

			if (typeof imp === 'string')
				imp = await this.imports.retrieve(imp, {},
				    options);
			while (IMPORT_BUSY.has(imp.status)) {
				if (Date.now() + interval > end)
					throw new Error(`${PKG.name}: import ` +
					    `${imp.id} still ${imp.status} after ` +
					    `${timeout} ms`);
				await sleep(interval);
				imp = await this.imports.retrieve(imp.id, {},
				    options);
			}
			return imp;
		}
	};
	const customers = new Customers(stripe);
	customers.imports = new CustomerImports(stripe);
	return customers;
}

// --------------------------------------------------------------- webhooks

// Stripe's messages name its own header and service; the checks are the
// same. Other errors pass as they are.
function pesaswapError(err) {
	if (!(err instanceof Stripe.errors.StripeSignatureVerificationError))
		return err;
	if (/^No stripe-signature header/.test(err.message))
		err.message = `No ${SIGNATURE_HEADER} header value was ` +
		    'provided.';
	else if (/^Webhook payload must be provided as a str/.test(
	    err.message))
		err.message = 'The webhook payload must be the raw request ' +
		    'body (a string or Buffer), not a parsed object: the ' +
		    'signature covers the bytes as sent.';
	else if (/^No signatures found matching/.test(err.message))
		err.message = `No v1 signature in the ${SIGNATURE_HEADER} ` +
		    'header matches this payload and secret: pass the raw ' +
		    'request body as received (before any JSON parsing) and ' +
		    'the endpoint\'s whsec_ secret.';
	return err;
}

/**
 * Verifies `PesaSwap-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>" keyed by the whole whsec_ secret>` (as pesaswap-jobs
 * signs, fcgi/webhooks.c webhooks_sign) and returns the parsed event.
 */
const webhooks = Object.freeze({
	SIGNATURE_HEADER,
	DEFAULT_TOLERANCE: Stripe.webhooks.DEFAULT_TOLERANCE,

	constructEvent(payload, header, secret, tolerance, ...more) {
		try {
			return Stripe.webhooks.constructEvent(payload, header,
			    secret, tolerance, ...more);
		} catch (err) {
			throw pesaswapError(err);
		}
	},

	async constructEventAsync(payload, header, secret, tolerance, ...more) {
		try {
			return await Stripe.webhooks.constructEventAsync(
			    payload, header, secret, tolerance, ...more);
		} catch (err) {
			throw pesaswapError(err);
		}
	},

	/* A header for a payload, as pesaswap-jobs would sign it (tests). */
	generateTestHeaderString(opts) {
		return Stripe.webhooks.generateTestHeaderString(opts);
	},
});

// ----------------------------------------------------------------- client

/**
 * new PesaSwap(key, { apiUrl } | { host, port, protocol } | {}, plus any
 * Stripe option): a Stripe client on a PesaSwap host.
 */
export default class PesaSwap extends Stripe {
	constructor(key, config = {}) {
		super(key, stripeConfig(config));
		this.customers = customersOf(this);
		this.payments = new Payments(this);
		this.paymentSchedules = new PaymentSchedules(this);
		this.webhooks = webhooks;
	}
}

PesaSwap.webhooks = webhooks;
export { PesaSwap, webhooks };
