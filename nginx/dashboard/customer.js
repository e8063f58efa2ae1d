// One customer: profile (editable, "Save changes"), billing details
// (description, address, shipping, languages, invoice prefix), metadata,
// saved payment methods, payments (paginated, with refunds), subscriptions,
// the seed's analytics (refunded and net once there are refunds) with a
// chart of volume over time, the customer's activity (its events), and
// "Delete customer".
import * as api from './api.js';
import { h, replace, confirmDialog, badge } from './dom.js';
import { money, date, dateTime, isoDate } from './format.js';
import { customerForm } from './customers.js';
import { pagedTable, listAll } from './pager.js';
import { drawVolume } from './chart.js';
import { details, activity } from './details.js';

const PAGE = 10;	/* rows of a customer's payments and subscriptions */

/** Renders customer ID into MAIN; returns its cleanup. */
export function render(main, [id]) {
	const alive = { on: true, chart: () => {} };
	replace(main, h('p', { class: 'status', role: 'status' },
	    'Loading the customer…'));
	document.title = 'Customer · PesaSwap';
	api.get(api.uri`/v1/customers/${id}`).then((c) => {
		if (alive.on)
			page(main, c, alive);
	}, (e) => {
		if (!alive.on)
			return;
		replace(main, back(), h('h1', {}, e.status === 404 ?
		    'No such customer' : 'Could not load the customer'),
		    h('p', { class: 'status error', role: 'alert' },
		        e.status === 404 ? `There is no customer ${id} in ` +
		        `${api.isLive() ? 'live' : 'test'} data.` : e.message));
	});
	return () => {
		alive.on = false;
		alive.chart();
	};
}

function back() {
	return h('p', { class: 'back' }, h('a', { href: '#/customers' },
	    '← Customers'));
}

/* A titled section whose body loads by itself: LOAD(body) fills it. */
function section(title, load, extra) {
	const body = h('div', { class: 'section-body', 'aria-busy': 'true' },
	    h('p', { class: 'status' }, 'Loading…'));
	const id = `sec-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
	const el = h('section', { class: 'card', 'aria-labelledby': id },
	    h('div', { class: 'card-head' }, h('h2', { id }, title), extra),
	    body);
	Promise.resolve().then(() => load(body)).catch((e) => {
		replace(body, h('p', { class: 'status error', role: 'alert' },
		    `Could not load: ${e.message}`));
	}).finally(() => body.removeAttribute('aria-busy'));
	return el;
}

function page(main, c, alive) {
	document.title = `${c.name} · Customers · PesaSwap`;
	const title = h('h1', {}, c.name);
	const del = h('button', { type: 'button', class: 'button danger' },
	    'Delete customer');
	del.addEventListener('click', () => deleteCustomer(c));
	replace(main,
	    back(),
	    h('div', { class: 'page-head' },
	        h('div', {}, title, h('p', { class: 'muted' },
	            h('code', {}, c.id), ' · created ', date(c.created))),
	        del),
	    section('Analytics', (b) => analytics(b, c, alive)),
	    h('div', { class: 'grid-2' },
	        profile(c, title),
	        h('div', { class: 'stack' },
	            metadata(c),
	            section('Payment methods', (b) => paymentMethods(b, c)))),
	    details(c),
	    section('Payments', (b) => payments(b, c)),
	    section('Subscriptions', (b) => subscriptions(b, c)),
	    section('Activity', (b) => activity(b, c, PAGE)));
}

// ------------------------------------------------------------- analytics

async function analytics(body, c, alive) {
	const a = await api.get(api.uri`/v1/customers/${c.id}/analytics`);
	const vol = a.volume || [];
	const perCurrency = (key) => vol.length ? h('ul', { class: 'amounts' },
	    vol.map((v) => h('li', {}, money(v[key], v.currency)))) :
	    h('span', {}, '—');
	const last = a.last_payment;
	const stat = (label, value, note) => h('div', { class: 'stat' },
	    h('dt', {}, label), h('dd', {}, value,
	        note ? h('span', { class: 'muted small' }, note) : null));
	const chart = h('div', { class: 'chart' });
	const controls = h('div', { class: 'chart-controls' });
	replace(body,
	    h('dl', { class: 'stats' },
	        stat('Total payments', String(a.total_payments),
	            a.failed_payments ? ` (${a.failed_payments} failed)` : null),
	        stat('Total volume', perCurrency('total_volume')),
	        stat('Average transaction', perCurrency('average_transaction')),
	        // Refunds (POST /v1/refunds): shown once there are any.
	        vol.some((v) => v.refunded_amount > 0) ? [
	            stat('Refunded', perCurrency('refunded_amount')),
	            stat('Net volume', perCurrency('net_volume'))] : null,
	        stat('Last payment', last ? h('time',
	            { datetime: isoDate(last.created) }, date(last.created)) : '—',
	            last ? ` · ${money(last.amount, last.currency)}` : null)),
	    h('div', { class: 'chart-head' },
	        h('h3', {}, 'Payment volume over time'), controls),
	    chart);
	const choice = { interval: 'day', currency: vol.length ? vol[0].currency :
	    undefined };
	const interval = select('Interval', [['day', 'By day'],
	    ['month', 'By month']], choice.interval);
	controls.append(interval.wrap);
	if (vol.length > 1) {
		const cur = select('Currency', vol.map((v) =>
		    [v.currency, v.currency.toUpperCase()]), choice.currency);
		controls.append(cur.wrap);
		cur.input.addEventListener('change', () => {
			choice.currency = cur.input.value;
			drawChart();
		});
	}
	interval.input.addEventListener('change', () => {
		choice.interval = interval.input.value;
		drawChart();
	});
	async function drawChart() {
		alive.chart();
		alive.chart = () => {};
		replace(chart, h('p', { class: 'status' }, 'Loading the chart…'));
		let v;
		try {
			v = await api.get(api.uri`/v1/customers/${c.id}/analytics/volume`,
			    choice);
		} catch (e) {
			replace(chart, h('p', { class: 'status error', role: 'alert' },
			    `Could not load the chart: ${e.message}`));
			return;
		}
		if (alive.on)
			alive.chart = drawVolume(chart, v);
	}
	if (vol.length)
		await drawChart();
	else
		replace(chart, h('p', { class: 'empty' },
		    'No payments yet, so there is no volume to chart.'));
}

function select(label, options, value) {
	const id = `sel-${label.toLowerCase()}`;
	const input = h('select', { id }, options.map(([v, text]) =>
	    h('option', { value: v, selected: v === value }, text)));
	return { input, wrap: h('div', { class: 'inline-field' },
	    h('label', { for: id }, label), input) };
}

// --------------------------------------------------------------- profile

function profile(c, title) {
	const status = h('p', { class: 'status', role: 'status' });
	const form = customerForm(c, 'Save changes', status);
	let saved = { name: c.name, email: c.email, phone: c.phone || '' };
	form.onSubmit(async (v) => {
		status.textContent = '';
		const changes = {};
		for (const k of Object.keys(v))
			if (v[k] !== saved[k])
				changes[k] = v[k];
		if (!Object.keys(changes).length) {
			status.textContent = 'No changes to save.';
			return;
		}
		const u = await api.post(api.uri`/v1/customers/${c.id}`, changes);
		saved = { name: u.name, email: u.email, phone: u.phone || '' };
		form.fields.phone.input.value = saved.phone;
		title.textContent = u.name;
		document.title = `${u.name} · Customers · PesaSwap`;
		status.textContent = `Saved at ${dateTime(u.updated)}.`;
	});
	return h('section', { class: 'card', 'aria-labelledby': 'sec-profile' },
	    h('div', { class: 'card-head' }, h('h2', { id: 'sec-profile' },
	        'Profile')), form.el);
}

function metadata(c) {
	const entries = Object.entries(c.metadata || {});
	return h('section', { class: 'card', 'aria-labelledby': 'sec-metadata' },
	    h('div', { class: 'card-head' }, h('h2', { id: 'sec-metadata' },
	        'Metadata')),
	    entries.length ? h('dl', { class: 'kv' }, entries.map(([k, v]) => [
	        h('dt', {}, k), h('dd', {}, v)])) :
	    h('p', { class: 'empty' }, 'No metadata.'));
}

// ---------------------------------------------- methods, payments, subs

function methodText(pm) {
	if (pm.card)
		return `${cap(pm.card.brand)} •••• ${pm.card.last4} · expires ` +
		    `${String(pm.card.exp_month).padStart(2, '0')}/${pm.card.exp_year}`;
	if (pm.mobile_money)
		return `${pm.mobile_money.provider === 'mpesa' ? 'M-Pesa' :
		    cap(pm.mobile_money.provider)} •••• ${pm.mobile_money.phone_last4}`;
	return pm.type;
}

function cap(s) {
	return s ? s[0].toUpperCase() + s.slice(1) : '';
}

/* All of them, page after page: a customer rarely has many. */
async function paymentMethods(body, c) {
	const list = await listAll(api.uri`/v1/customers/${c.id}/payment_methods`);
	const def = c.invoice_settings &&
	    c.invoice_settings.default_payment_method;
	if (!list.length) {
		replace(body, h('p', { class: 'empty' }, 'No saved payment methods.'));
		return;
	}
	replace(body, h('ul', { class: 'plain-list' }, list.map((pm) =>
	    h('li', {}, methodText(pm),
	        pm.id === def ? h('span', { class: 'badge' }, 'Default') : null,
	        h('span', { class: 'muted small' }, ` · added ${date(pm.created)}`)))));
}

/* A paged table of the customer's rows of PATH in BODY. */
function customerTable(body, c, { caption, path, empty, columns }) {
	const t = pagedTable({ caption, path, params: { customer: c.id },
	    size: PAGE, empty, columns });
	replace(body, t.table, t.status, t.nav);
	return t.load('first');
}

function payments(body, c) {
	return customerTable(body, c, { caption: 'Payments',
	    path: '/v1/payments', empty: 'No payments yet.', columns: [
		['Amount', (x) => money(x.amount, x.currency), { class: 'num' }],
		['Status', (x) => [badge(x.refunded ? 'refunded' : x.status),
		    x.failure_code ? h('span', { class: 'muted small' },
		        ` ${x.failure_code.replace(/_/g, ' ')}`) : null,
		    x.amount_refunded > 0 && !x.refunded ?
		        h('span', { class: 'muted small' },
		            ` ${money(x.amount_refunded, x.currency)} refunded`) :
		        null]],
		['Description', (x) => x.description || '—'],
		['Date', (x) => h('time', { datetime: isoDate(x.created) },
		    dateTime(x.created))],
	    ] });
}

function subscriptions(body, c) {
	return customerTable(body, c, { caption: 'Subscriptions',
	    path: '/v1/subscriptions', empty: 'No subscriptions.', columns: [
		['Subscription', (s) => h('code', {}, s.id)],
		['Status', (s) => [badge(s.status), s.cancel_at_period_end ?
		    h('span', { class: 'muted small' }, ' cancels at period end') :
		    null]],
		['Price', (s) => h('code', {}, typeof s.price === 'object' &&
		    s.price ? s.price.id : String(s.price || '—'))],
		['Current period ends', (s) => date(s.current_period_end)],
	    ] });
}

// ---------------------------------------------------------------- delete

async function deleteCustomer(c) {
	const ok = await confirmDialog({
		title: 'Delete customer?',
		body: [`${c.name} (${c.email}) will be deleted: the customer can ` +
		    'no longer be charged, changed or found.',
		    'Its active subscriptions and scheduled payments are canceled ' +
		    'and its saved payment methods detached, each with its event.',
		    'Past payments are kept: they stay in your records and remain ' +
		    'listed for this customer.'],
		confirmLabel: 'Delete customer',
	});
	if (!ok)
		return;
	try {
		await api.del(api.uri`/v1/customers/${c.id}`);
	} catch (e) {
		await confirmDialog({ title: 'Could not delete the customer',
		    body: e.message, confirmLabel: 'OK', danger: false });
		return;
	}
	location.hash = '#/customers';
}
