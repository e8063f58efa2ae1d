// The Customers page: the table (Name, Email, Phone, Created), search as
// you type through GET /v1/customers/search (bare words, debounced),
// cursor pagination, "Create Customer", Export and Import (import.js),
// and a link to "Possible duplicates" (duplicates.js). Never loads
// everything: one
// page of PAGE_SIZE rows at a time, whatever the account holds (the
// paged table of pager.js).
import * as api from './api.js';
import { h, replace, field, setFieldError, newId, showModal }
    from './dom.js';
import { date, isoDate } from './format.js';
import { pagedTable } from './pager.js';
import { exportCsv, openImport } from './import.js';

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
	const exp = h('button', { type: 'button', class: 'button',
	    id: 'export-customers' }, 'Export');
	const imp = h('button', { type: 'button', class: 'button',
	    id: 'import-customers' }, 'Import');
	const dups = h('a', { href: '#/customers/duplicates', class: 'button' },
	    'Possible duplicates');
	const note = h('p', { class: 'muted', role: 'status' });
	replace(main,
	    h('div', { class: 'page-head' }, h('h1', {}, 'Customers'),
	        h('div', { class: 'actions' }, dups, exp, imp, create)),
	    h('div', { class: 'toolbar' }, t.searchBox), note,
	    t.status, t.table, t.nav);
	create.addEventListener('click', () => openCreate());
	exp.addEventListener('click', () => exportCsv(state.query, note));
	imp.addEventListener('click', () => openImport(() => t.load('first')));
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
 * The customer form (Name, Email, Phone) of "Create Customer" and "Save
 * changes", saved by SAVELABEL: {el, fields, actions, onSubmit(send)}.
 * AFTER goes below the buttons.
 */
export function customerForm(c = {}, saveLabel, after = null) {
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
	const alert = h('p', { class: 'form-error', role: 'alert' });
	const save = h('button', { type: 'submit', class: 'button primary' },
	    saveLabel);
	const actions = h('div', { class: 'actions' }, save);
	const el = h('form', { class: 'form', novalidate: true },
	    FIELDS.map((k) => fields[k].wrap), alert, actions, after);

	/* The API's error beside its field, else in the alert. */
	function showError(err) {
		const f = fields[err.param];
		if (!f) {
			alert.textContent = err.message;
			return;
		}
		setFieldError(f, err.message);
		f.input.focus();
	}
	return {
		el, fields, actions,
		/* SEND(values) on submit, the errors cleared first and the
		 * button saying "Saving…" meanwhile. */
		onSubmit(send) {
			el.addEventListener('submit', async (e) => {
				e.preventDefault();
				for (const k of FIELDS)
					setFieldError(fields[k], '');
				alert.textContent = '';
				const v = {};
				for (const k of FIELDS)
					v[k] = fields[k].input.value.trim();
				save.disabled = true;
				save.textContent = 'Saving…';
				try {
					await send(v);
				} catch (err) {
					showError(err);
				} finally {
					save.disabled = false;
					save.textContent = saveLabel;
				}
			});
		},
	};
}

function openCreate() {
	const titleId = newId('dlg');
	const form = customerForm({}, 'Save');
	const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
	form.actions.prepend(cancel);
	const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
	    h('h2', { id: titleId }, 'Create Customer'), form.el);
	const close = showModal(dlg, cancel);
	form.onSubmit(async (v) => {
		const body = { name: v.name, email: v.email };
		if (v.phone)
			body.phone = v.phone;
		const c = await api.post('/v1/customers', body);
		close();
		location.hash = api.uri`#/customers/${c.id}`;
	});
	form.fields.name.input.focus();
}
