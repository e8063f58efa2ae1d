// Building the page without innerHTML: every text from the API goes in as
// a text node, so nothing it holds is ever parsed as markup.

/**
 * h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child, [more]):
 * an element. "on…" keys add listeners, "class" sets className, "text"
 * sets textContent, booleans set or skip an attribute, the rest are
 * attributes. Never "style": the CSP forbids inline styles; use classes.
 */
export function h(tag, attrs = {}, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else if (k === 'class')
			el.className = v;
		else if (k === 'text')
			el.textContent = v;
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	return el;
}

/** Appends strings (as text), nodes and nested arrays; skips null. */
export function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

/** Replaces all of el's children. */
export function replace(el, ...children) {
	el.replaceChildren();
	return append(el, children);
}

let uid = 0;
/** A document-unique id with a readable prefix. */
export function newId(prefix) {
	uid += 1;
	return `${prefix}-${uid}`;
}

/**
 * A labelled field: {wrap, input, error}. The error paragraph is tied to
 * the input with aria-describedby; setFieldError() fills it.
 */
export function field(label, attrs = {}, hint) {
	const id = attrs.id || newId('f');
	const errId = `${id}-error`;
	const hintId = hint ? `${id}-hint` : null;
	const input = h(attrs.tag || 'input', { ...attrs, tag: undefined, id,
	    'aria-describedby': [hintId, errId].filter(Boolean).join(' ') });
	const error = h('p', { id: errId, class: 'field-error' });
	const wrap = h('div', { class: 'field' },
	    h('label', { for: id }, label),
	    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
	    input, error);
	return { wrap, input, error };
}

/** Shows MSG beside the field (empty clears it). */
export function setFieldError(f, msg) {
	f.error.textContent = msg || '';
	if (msg)
		f.input.setAttribute('aria-invalid', 'true');
	else
		f.input.removeAttribute('aria-invalid');
}

/**
 * A modal <dialog> asking to confirm: resolves true when "confirmLabel"
 * is pressed, false on Cancel or Escape.
 */
export function confirmDialog({ title, body, confirmLabel, danger = true }) {
	return new Promise((resolve) => {
		const titleId = newId('dlg');
		const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId });
		const done = (ok) => {
			dlg.close();
			dlg.remove();
			resolve(ok);
		};
		append(dlg, [
		    h('h2', { id: titleId }, title),
		    [].concat(body).map((p) => h('p', {}, p)),
		    h('div', { class: 'actions' },
		        h('button', { type: 'button', class: 'button',
		            onclick: () => done(false) }, 'Cancel'),
		        h('button', { type: 'button',
		            class: danger ? 'button danger' : 'button primary',
		            onclick: () => done(true) }, confirmLabel)),
		]);
		dlg.addEventListener('cancel', (e) => {
			e.preventDefault();
			done(false);
		});
		document.body.append(dlg);
		dlg.showModal();
	});
}

/**
 * Shows DLG (a <dialog>) as a modal: CANCEL (a button) and Escape close
 * and remove it. Returns that close function.
 */
export function showModal(dlg, cancel) {
	const close = () => {
		dlg.close();
		dlg.remove();
	};
	cancel.addEventListener('click', close);
	dlg.addEventListener('cancel', (e) => {
		e.preventDefault();
		close();
	});
	document.body.append(dlg);
	dlg.showModal();
	return close;
}

/* A status ("past_due") as a coloured badge ("past due"). */
export function badge(status) {
	return h('span', { class: `badge status-${status}` },
	    status.replace(/_/g, ' '));
}

/**
 * A table: CAPTION (hidden unless showCaption), COLUMNS as [header,
 * row => cell, attrs?] (attrs {scope: 'row'} makes the cell a row
 * header), ROWS to show. ROW(tr, x), if given, dresses each row.
 * Returns {el, fill(rows)}; fill replaces the rows.
 */
export function dataTable({ caption, columns, rows = [], id,
    className = 'table', showCaption = false, row }) {
	const tbody = h('tbody');
	const el = h('table', { class: className, id },
	    h('caption', showCaption ? {} : { class: 'visually-hidden' }, caption),
	    h('thead', {}, h('tr', {}, columns.map(([t]) =>
	        h('th', { scope: 'col' }, t)))),
	    tbody);
	const fill = (list) => replace(tbody, list.map((x) => {
		const tr = h('tr', {}, columns.map(([, cell, attrs = {}]) =>
		    h(attrs.scope === 'row' ? 'th' : 'td', attrs, cell(x))));
		if (row)
			row(tr, x);
		return tr;
	}));
	fill(rows);
	return { el, fill };
}
