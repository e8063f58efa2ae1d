// The Customers page: the table (Name, Email, Phone, Created), search as
// you type through GET /v1/customers/search (bare words, debounced),
// cursor pagination, and "Create Customer". Never loads everything: one
// page of PAGE_SIZE rows at a time, whatever the account holds (the
// paged table of pager.js).
import * as api from './api.js';
import { h, replace, field, setFieldError, newId } from './dom.js';
import { date, isoDate } from './format.js';
import { pagedTable } from './pager.js';

const PAGE_SIZE = 20;

/* What the page shows, kept across visits so Back returns to it. */
const state = { query: '' };

const COLUMNS = [
	['Name', (c) => h('a', { href: api.uri`#/customers/${c.id}` },
	    c.name || '(no name)'), { scope: 'row' }],
	['Email', (c) => c.email || '', { 'data-label': 'Email' }],
	['Phone', (c) => c.phone || '—', { 'data-label': 'Phone' }],
	['Created', (c) => h('time', { datetime: isoDate(c.created) },
	    date(c.created)), { 'data-label': 'Created' }],
];

/** Renders the page into MAIN; returns its cleanup. */
export function render(main) {
	document.title = 'Customers · PesaSwap';
	const t = pagedTable({ caption: 'Customers', path: '/v1/customers',
	    search: '/v1/customers/search', query: state.query,
	    label: 'Search customers',
	    placeholder: 'Search by name, email or phone',
	    onQuery: (q) => {
		state.query = q;
	    },
	    id: 'customers-table', tableClass: 'table customers',
	    size: PAGE_SIZE, columns: COLUMNS, row: clickable, empty, count });
	t.searchBox.id = 'customer-search';
	const create = h('button', { type: 'button', class: 'button primary' },
	    'Create Customer');
	replace(main,
	    h('div', { class: 'page-head' }, h('h1', {}, 'Customers'), create),
	    h('div', { class: 'toolbar' }, t.searchBox),
	    t.status, t.table, t.nav);
	create.addEventListener('click', () => openCreate());
	t.load('first');
	return t.stop;
}

function empty(query) {
	return query ? `No customers match “${query}”.` :
	    'No customers yet. Create one with “Create Customer”.';
}

function count(n, query) {
	return `${n} ${query ? 'matching ' : ''}customer${n === 1 ? '' : 's'} ` +
	    'on this page.';
}

/* A click anywhere on a row opens the customer; the name is the link
 * (keyboard reachable). */
function clickable(tr, c) {
	tr.classList.add('clickable');
	tr.addEventListener('click', (e) => {
		if (!e.target.closest('a'))
			location.hash = api.uri`#/customers/${c.id}`;
	});
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
			location.hash = api.uri`#/customers/${c.id}`;
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
