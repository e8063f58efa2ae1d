// Cursor pagination for the tables (API.md lists and search), and the
// paged table of a list endpoint that the list pages and the customer's
// payments share.
import * as api from './api.js';
import { h, replace } from './dom.js';

/*
 * Cursors: the list moves with starting_after / ending_before (ids of the
 * last and first row shown); search with the opaque next_page token, so
 * "Previous" there walks back a stack of the tokens used.
 */
export class Pager {
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
 * (a filter). COLUMNS are [header, row => cell, td attributes?]. Gives
 * the parts for the caller to place, load(move) (a promise) and stop()
 * for when the view goes away.
 */
export function pagedTable({ caption, path, params = {}, size, columns,
    empty }) {
	const tbody = h('tbody');
	const status = h('p', { class: 'status', role: 'status' });
	const prev = h('button', { type: 'button', class: 'button' }, 'Previous');
	const next = h('button', { type: 'button', class: 'button' }, 'Next');
	const pager = new Pager(size);
	let alive = true;
	async function load(move) {
		const page = { ...params, ...pager.params(move) };
		prev.disabled = next.disabled = true;
		status.className = 'status';
		status.textContent = 'Loading…';
		try {
			const p = await api.get(path, page);
			if (!alive)
				return;
			pager.loaded(move, p, page);
			replace(tbody, p.data.map((x) => h('tr', {},
			    columns.map(([, cell, attrs]) =>
			        h('td', attrs || {}, cell(x))))));
			status.textContent = p.data.length ? '' : empty;
		} catch (e) {
			status.className = 'status error';
			status.textContent =
			    `Could not load ${caption.toLowerCase()}: ${e.message}`;
		}
		prev.disabled = !pager.hasPrev;
		next.disabled = !pager.hasNext;
	}
	prev.addEventListener('click', () => load('prev'));
	next.addEventListener('click', () => load('next'));
	return {
		table: h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
		    h('caption', { class: 'visually-hidden' }, caption),
		    h('thead', {}, h('tr', {}, columns.map(([t]) =>
		        h('th', { scope: 'col' }, t)))), tbody)),
		status,
		nav: h('nav', { class: 'pager', 'aria-label': `Pages of ${caption}` },
		    prev, next),
		load,
		stop: () => {
			alive = false;
		},
	};
}
