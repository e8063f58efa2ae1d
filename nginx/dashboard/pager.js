// Cursor pagination for the tables (API.md lists and search), the paged
// table that every list of the dashboard uses (customers with their
// search, subscriptions, webhooks, a customer's payments and
// subscriptions), and listAll for a short list wanted whole.
import * as api from './api.js';
import { h, dataTable } from './dom.js';

const DEBOUNCE_MS = 250;	/* the search box waits for a pause in typing */

/*
 * Cursors: the list moves with starting_after / ending_before (ids of the
 * last and first row shown); search with the opaque next_page token, so
 * "Previous" there walks back a stack of the tokens used.
 */
class Pager {
	constructor(size) {
		this.size = size;
		this.reset();
	}

	reset() {
		this.first = this.last = null;
		this.hasPrev = this.hasNext = false;
		this.tokens = [];		/* search: page token of each page */
		this.nextToken = null;
	}

	params(move, query) {
		if (query) {
			let page;
			if (move === 'next')
				page = this.nextToken;
			else if (move === 'prev')
				page = this.tokens[this.tokens.length - 2];
			return { query, limit: this.size, page: page || undefined };
		}
		if (move === 'next')
			return { limit: this.size, starting_after: this.last };
		if (move === 'prev')
			return { limit: this.size, ending_before: this.first };
		return { limit: this.size };
	}

	loaded(move, page, params) {
		const data = page.data;
		if (page.object === 'search_result') {
			if (move === 'next')
				this.tokens.push(params.page);
			else if (move === 'prev')
				this.tokens.pop();
			else
				this.tokens = [null];
			this.nextToken = page.next_page;
			this.hasPrev = this.tokens.length > 1;
			this.hasNext = Boolean(page.has_more && page.next_page);
			return;
		}
		if (data.length === 0 && move !== 'first') {
			/* Nothing beyond the cursor (rows went away meanwhile):
			 * keep the cursors, leave the way back open. */
			this.hasPrev = move === 'next';
			this.hasNext = move === 'prev';
			return;
		}
		this.first = data.length ? data[0].id : null;
		this.last = data.length ? data[data.length - 1].id : null;
		if (move === 'next') {
			this.hasPrev = true;
			this.hasNext = page.has_more;
		} else if (move === 'prev') {
			this.hasPrev = page.has_more;
			this.hasNext = true;
		} else {
			this.hasPrev = false;
			this.hasNext = page.has_more;
		}
	}
}

/*
 * A table of PATH's pages, SIZE rows each, PARAMS sent with every page
 * (a filter). COLUMNS, ID, TABLECLASS and ROW are dataTable's (dom.js).
 * EMPTY(query) and COUNT(n, query) (or strings) say what a page holds.
 * With SEARCH (the search endpoint's path) it has a search box
 * (LABEL, PLACEHOLDER): a query typed there, debounced, pages through
 * SEARCH instead, starting from QUERY; ONQUERY(q) hears of each.
 * A new load aborts the one in flight; stop() aborts it for good, for
 * when the view goes away. Gives the parts for the caller to place
 * (table, status, nav, searchBox) and load(move), a promise.
 */
export function pagedTable({ caption, path, params = {}, size, columns,
    empty, count = '', id, tableClass, row, search, query = '', label,
    placeholder, onQuery = () => {} }) {
	const t = dataTable({ caption, columns, id, className: tableClass, row });
	const wrap = h('div', { class: 'table-wrap' }, t.el);
	const status = h('p', { class: 'status', role: 'status' });
	const prev = h('button', { type: 'button', class: 'button' }, 'Previous');
	const next = h('button', { type: 'button', class: 'button' }, 'Next');
	const pager = new Pager(size);
	const say = (text, ...args) => typeof text === 'function' ?
	    text(...args) : text;
	let controller = null;
	let stopped = false;

	async function load(move) {
		if (controller)
			controller.abort();
		if (stopped)
			return;
		controller = new AbortController();
		const signal = controller.signal;
		const page = { ...params, ...pager.params(move, query) };
		prev.disabled = next.disabled = true;
		wrap.setAttribute('aria-busy', 'true');
		status.className = 'status';
		status.textContent = 'Loading…';
		try {
			const p = await api.get(query ? search : path, page, signal);
			if (signal.aborted)
				return;
			pager.loaded(move, p, page);
			t.fill(p.data);
			status.textContent = p.data.length ?
			    say(count, p.data.length, query) : say(empty, query);
		} catch (e) {
			if (signal.aborted)
				return;
			t.fill([]);
			status.className = 'status error';
			status.textContent =
			    `Could not load ${caption.toLowerCase()}: ${e.message}`;
		}
		wrap.removeAttribute('aria-busy');
		prev.disabled = !pager.hasPrev;
		next.disabled = !pager.hasNext;
	}
	prev.addEventListener('click', () => load('prev'));
	next.addEventListener('click', () => load('next'));

	let searchBox = null;
	let timer = null;
	if (search) {
		searchBox = h('input', { type: 'search', autocomplete: 'off',
		    'aria-label': label, placeholder, 'aria-controls': id,
		    value: query });
		searchBox.addEventListener('input', () => {
			clearTimeout(timer);
			timer = setTimeout(() => {
				const q = searchBox.value.trim();
				if (q === query)
					return;
				query = q;
				onQuery(q);
				pager.reset();
				load('first');
			}, DEBOUNCE_MS);
		});
	}
	return {
		table: wrap,
		status,
		nav: h('nav', { class: 'pager', 'aria-label': `Pages of ${caption}` },
		    prev, next),
		searchBox,
		load,
		stop: () => {
			stopped = true;
			clearTimeout(timer);
			if (controller)
				controller.abort();
		},
	};
}

/** Every row of PATH (with PARAMS), following has_more page by page. */
export async function listAll(path, params = {}, signal) {
	const rows = [];
	let after;
	for (;;) {
		const p = await api.get(path, { ...params, limit: 100,
		    starting_after: after }, signal);
		rows.push(...p.data);
		if (!p.has_more || !p.data.length)
			return rows;
		after = p.data[p.data.length - 1].id;
	}
}
