// A customer's Stripe-shaped details (issue 15): description, address,
// shipping, preferred locales and invoice prefix, edited in one form that
// sends only what changed; and the customer's Activity, its events
// newest first (GET /v1/events?customer=).
import * as api from './api.js';
import { h, field, setFieldError } from './dom.js';
import { dateTime, isoDate } from './format.js';
import { pagedTable } from './pager.js';

const ADDRESS = [['line1', 'Address line 1'], ['line2', 'Address line 2'],
    ['city', 'City'], ['state', 'State or county'],
    ['postal_code', 'Postal code'], ['country', 'Country (two letters)']];

/* Inputs for an address named PARAM ("address", "shipping[address]"). */
function addressFields(param, a) {
	return ADDRESS.map(([k, label]) => [`${param}[${k}]`,
	    field(label, { type: 'text', autocomplete: 'off',
	    maxlength: k === 'country' ? 2 : 5000,
	    value: (a && a[k]) || '' })]);
}

/* An address from its inputs; null when every one is empty. */
function addressOf(fields, param) {
	const a = {};
	for (const [k] of ADDRESS) {
		const v = fields[`${param}[${k}]`].input.value.trim();
		if (v)
			a[k] = v;
	}
	return Object.keys(a).length ? a : null;
}

/* What the form holds, as the API takes it ("" unsets). */
function valuesOf(f) {
	const shipAddress = addressOf(f, 'shipping[address]');
	const shipName = f['shipping[name]'].input.value.trim();
	const shipPhone = f['shipping[phone]'].input.value.trim();
	const locales = f.preferred_locales.input.value.split(',')
	    .map((s) => s.trim()).filter(Boolean);
	return {
		description: f.description.input.value.trim(),
		address: addressOf(f, 'address') || '',
		shipping: shipName || shipPhone || shipAddress ? { name: shipName,
		    ...(shipPhone ? { phone: shipPhone } : {}),
		    address: shipAddress || {} } : '',
		preferred_locales: locales.length ? locales : '',
		invoice_prefix: f.invoice_prefix.input.value.trim(),
	};
}

/* The customer's fields in the form's terms, to compare with valuesOf(). */
function savedOf(c) {
	const strip = (a) => {
		if (!a)
			return null;
		const o = {};
		for (const [k] of ADDRESS)
			if (a[k])
				o[k] = a[k];
		return Object.keys(o).length ? o : null;
	};
	return {
		description: c.description || '',
		address: strip(c.address) || '',
		shipping: c.shipping ? { name: c.shipping.name,
		    ...(c.shipping.phone ? { phone: c.shipping.phone } : {}),
		    address: strip(c.shipping.address) || {} } : '',
		preferred_locales: c.preferred_locales.length ?
		    c.preferred_locales : '',
		invoice_prefix: c.invoice_prefix || '',
	};
}

/** The "Billing details" card: the form, saving only changed fields. */
export function details(c) {
	const f = Object.fromEntries([
		['description', field('Description', { tag: 'textarea',
		    maxlength: 5000, rows: 2, value: c.description || '' })],
		...addressFields('address', c.address),
		['shipping[name]', field('Ship to (name)', { type: 'text',
		    autocomplete: 'off', value: c.shipping?.name || '' },
		    'Needed when anything of shipping is filled in.')],
		['shipping[phone]', field('Shipping phone', { type: 'tel',
		    autocomplete: 'off', value: c.shipping?.phone || '' })],
		...addressFields('shipping[address]', c.shipping?.address),
		['preferred_locales', field('Preferred languages', { type: 'text',
		    autocomplete: 'off', value: c.preferred_locales.join(', ') },
		    'Comma-separated, in order, e.g. sw-KE, en.')],
		['invoice_prefix', field('Invoice prefix', { type: 'text',
		    autocomplete: 'off', maxlength: 12, value: c.invoice_prefix || '' },
		    '3 to 12 capital letters or digits.')],
	]);
	const alert = h('p', { class: 'form-error', role: 'alert' });
	const status = h('p', { class: 'status', role: 'status' });
	const save = h('button', { type: 'submit', class: 'button primary' },
	    'Save details');
	const group = (legend, keys) => h('fieldset', { class: 'fieldset' },
	    h('legend', {}, legend), keys.map((k) => f[k].wrap));
	const el = h('form', { class: 'form', novalidate: true,
	    'aria-label': 'Billing details' },
	    f.description.wrap,
	    group('Address', ADDRESS.map(([k]) => `address[${k}]`)),
	    group('Shipping', ['shipping[name]', 'shipping[phone]',
	        ...ADDRESS.map(([k]) => `shipping[address][${k}]`)]),
	    f.preferred_locales.wrap, f.invoice_prefix.wrap,
	    alert, h('div', { class: 'actions' }, save), status);
	let saved = savedOf(c);
	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		for (const x of Object.values(f))
			setFieldError(x, '');
		alert.textContent = status.textContent = '';
		const v = valuesOf(f);
		const changes = {};
		for (const k of Object.keys(v))
			if (JSON.stringify(v[k]) !== JSON.stringify(saved[k]))
				changes[k] = v[k];
		if (!Object.keys(changes).length) {
			status.textContent = 'No changes to save.';
			return;
		}
		save.disabled = true;
		try {
			const u = await api.post(api.uri`/v1/customers/${c.id}`,
			    changes);
			saved = savedOf(u);
			status.textContent = `Saved at ${dateTime(u.updated)}.`;
		} catch (err) {
			const x = f[err.param] || f[String(err.param).split('[')[0]];
			if (x) {
				setFieldError(x, err.message);
				x.input.focus();
			} else
				alert.textContent = err.message;
		} finally {
			save.disabled = false;
		}
	});
	return h('section', { class: 'card', 'aria-labelledby': 'sec-details' },
	    h('div', { class: 'card-head' }, h('h2', { id: 'sec-details' },
	        'Billing details')), el);
}

/* What an event did, in a few words. */
function eventWhat(e) {
	const o = e.data.object;
	const prev = e.data.previous_attributes;
	if (prev)
		return `Changed ${Object.keys(prev).join(', ') || 'nothing'}`;
	return o.object === 'customer' ? '' : `${o.object.replace(/_/g, ' ')} ` +
	    o.id;
}

/** Fills BODY with the customer's events, newest first, paged. */
export function activity(body, c, size) {
	const t = pagedTable({ caption: 'Activity', path: '/v1/events',
	    params: { customer: c.id }, size, empty: 'No activity yet.',
	    id: 'activity', columns: [
		['Event', (e) => h('code', {}, e.type)],
		['Details', (e) => eventWhat(e) || '—'],
		['Date', (e) => h('time', { datetime: isoDate(e.created) },
		    dateTime(e.created))],
	    ] });
	body.replaceChildren(t.table, t.status, t.nav);
	return t.load('first');
}
