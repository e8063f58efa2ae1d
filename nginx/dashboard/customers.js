// The Customers page: the table (Name, Email, Phone, Created), search as
// you type through GET /v1/customers/search (bare words, debounced),
// cursor pagination, and "Create Customer". Never loads everything: one
// page of PAGE_SIZE rows at a time, whatever the account holds.
import * as api from './api.js';
import { h, replace, field, setFieldError, newId } from './dom.js';
import { date, isoDate } from './format.js';
import { Pager } from './pager.js';

const PAGE_SIZE = 20;
const DEBOUNCE_MS = 250;

/* What the page shows, kept across visits so Back returns to it. */
const state = { query: '' };

/** Renders the page into MAIN; returns its cleanup. */
export function render(main) {
	document.title = 'Customers · PesaSwap';
	const search = h('input', { type: 'search', id: 'customer-search',
	    'aria-label': 'Search customers', autocomplete: 'off',
	    placeholder: 'Search by name, email or phone',
	    'aria-controls': 'customers-table', value: state.query });
	const status = h('p', { class: 'status', role: 'status',
	    'aria-live': 'polite' });
	const tbody = h('tbody');
	const table = h('table', { class: 'table customers', id: 'customers-table' },
	    h('caption', { class: 'visually-hidden' }, 'Customers'),
	    h('thead', {}, h('tr', {}, ['Name', 'Email', 'Phone', 'Created'].map(
	        (c) => h('th', { scope: 'col' }, c)))),
	    tbody);
	const prev = h('button', { type: 'button', class: 'button' }, 'Previous');
	const next = h('button', { type: 'button', class: 'button' }, 'Next');
	const create = h('button', { type: 'button', class: 'button primary' },
	    'Create Customer');
	replace(main,
	    h('div', { class: 'page-head' }, h('h1', {}, 'Customers'), create),
	    h('div', { class: 'toolbar' }, search),
	    status,
	    h('div', { class: 'table-wrap' }, table),
	    h('nav', { class: 'pager', 'aria-label': 'Pages of customers' },
	        prev, next));

	const pager = new Pager(PAGE_SIZE);
	let controller = null;
	let timer = null;

	async function load(move) {
		if (controller)
			controller.abort();
		controller = new AbortController();
		const signal = controller.signal;
		const params = pager.params(move, state.query);
		main.setAttribute('aria-busy', 'true');
		status.className = 'status';
		status.textContent = 'Loading…';
		prev.disabled = next.disabled = true;
		let page;
		try {
			page = state.query ?
			    await api.get('/v1/customers/search', params, signal) :
			    await api.get('/v1/customers', params, signal);
		} catch (e) {
			if (e.name === 'AbortError')
				return;
			main.removeAttribute('aria-busy');
			status.className = 'status error';
			status.textContent = `Could not load customers: ${e.message}`;
			replace(tbody);
			prev.disabled = !pager.hasPrev;
			next.disabled = !pager.hasNext;
			return;
		}
		pager.loaded(move, page, params);
		main.removeAttribute('aria-busy');
		replace(tbody, page.data.map(row));
		status.textContent = summary(page.data.length);
		prev.disabled = !pager.hasPrev;
		next.disabled = !pager.hasNext;
	}

	search.addEventListener('input', () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			const q = search.value.trim();
			if (q === state.query)
				return;
			state.query = q;
			pager.reset();
			load('first');
		}, DEBOUNCE_MS);
	});
	prev.addEventListener('click', () => load('prev'));
	next.addEventListener('click', () => load('next'));
	create.addEventListener('click', () => openCreate());
	load('first');
	return () => {
		clearTimeout(timer);
		if (controller)
			controller.abort();
	};
}

function summary(n) {
	if (n === 0)
		return state.query ? `No customers match “${state.query}”.` :
		    'No customers yet. Create one with “Create Customer”.';
	return state.query ? `${n} matching customer${n === 1 ? '' : 's'} ` +
	    'on this page.' : `${n} customer${n === 1 ? '' : 's'} on this page.`;
}

/* One row: the name is a link (keyboard reachable); a click anywhere on
 * the row opens the customer too. */
function row(c) {
	const href = `#/customers/${encodeURIComponent(c.id)}`;
	const tr = h('tr', { class: 'clickable' },
	    h('th', { scope: 'row' }, h('a', { href }, c.name || '(no name)')),
	    h('td', { 'data-label': 'Email' }, c.email || ''),
	    h('td', { 'data-label': 'Phone' }, c.phone || '—'),
	    h('td', { 'data-label': 'Created' }, h('time', { datetime: isoDate(c.created) },
	        date(c.created))));
	tr.addEventListener('click', (e) => {
		if (!e.target.closest('a'))
			location.hash = href;
	});
	return tr;
}

// ------------------------------------------------------- Create Customer

const FIELDS = ['name', 'email', 'phone'];

/**
 * The customer form's fields (Name, Email, Phone) for "Create Customer"
 * and "Save changes": {fields, values(), showError(err), clear()}.
 */
export function customerFields(c = {}) {
	const fields = {
		name: field('Name', { type: 'text', name: 'name', required: true,
		    autocomplete: 'off', maxlength: 256, value: c.name || '' },
		    'Required.'),
		email: field('Email', { type: 'email', name: 'email',
		    required: true, autocomplete: 'off', maxlength: 254,
		    value: c.email || '' }, 'Required.'),
		phone: field('Phone', { type: 'tel', name: 'phone',
		    autocomplete: 'off', value: c.phone || '' },
		    'Optional. International format, e.g. +254700000000.'),
	};
	return {
		fields,
		values() {
			const v = {};
			for (const k of FIELDS)
				v[k] = fields[k].input.value.trim();
			return v;
		},
		clear() {
			for (const k of FIELDS)
				setFieldError(fields[k], '');
		},
		/* The API's error beside its field; true if it had one. */
		showError(err) {
			const f = fields[err.param];
			if (!f)
				return false;
			setFieldError(f, err.message);
			f.input.focus();
			return true;
		},
	};
}

function openCreate() {
	const titleId = newId('dlg');
	const form = customerFields();
	const alert = h('p', { class: 'form-error', role: 'alert' });
	const save = h('button', { type: 'submit', class: 'button primary' },
	    'Save');
	const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
	const el = h('form', { class: 'form', novalidate: true },
	    form.fields.name.wrap, form.fields.email.wrap, form.fields.phone.wrap,
	    alert, h('div', { class: 'actions' }, cancel, save));
	const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
	    h('h2', { id: titleId }, 'Create Customer'), el);
	const close = () => {
		dlg.close();
		dlg.remove();
	};
	cancel.addEventListener('click', close);
	dlg.addEventListener('cancel', (e) => {
		e.preventDefault();
		close();
	});
	el.addEventListener('submit', async (e) => {
		e.preventDefault();
		form.clear();
		alert.textContent = '';
		const v = form.values();
		const body = { name: v.name, email: v.email };
		if (v.phone)
			body.phone = v.phone;
		save.disabled = true;
		save.textContent = 'Saving…';
		try {
			const c = await api.post('/v1/customers', body);
			close();
			location.hash = `#/customers/${encodeURIComponent(c.id)}`;
		} catch (err) {
			if (!form.showError(err))
				alert.textContent = err.message;
			save.disabled = false;
			save.textContent = 'Save';
		}
	});
	document.body.append(dlg);
	dlg.showModal();
	form.fields.name.input.focus();
}
