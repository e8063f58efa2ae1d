// Read-only lists of the account's subscriptions and webhook endpoints,
// one page at a time (API.md "Prices, subscriptions…", "Webhooks").
import * as api from './api.js';
import { h, replace } from './dom.js';
import { date } from './format.js';
import { Pager } from './pager.js';

const PAGE_SIZE = 20;

/* A paged table at PATH: COLUMNS are [header, row => cell]. */
function pagedTable(main, { title, lead, path, columns, empty }) {
	document.title = `${title} · PesaSwap`;
	const tbody = h('tbody');
	const status = h('p', { class: 'status', role: 'status' });
	const prev = h('button', { type: 'button', class: 'button' }, 'Previous');
	const next = h('button', { type: 'button', class: 'button' }, 'Next');
	const pager = new Pager(PAGE_SIZE);
	replace(main,
	    h('div', { class: 'page-head' }, h('h1', {}, title)),
	    h('p', { class: 'lead' }, lead),
	    status,
	    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
	        h('caption', { class: 'visually-hidden' }, title),
	        h('thead', {}, h('tr', {}, columns.map(([t]) =>
	            h('th', { scope: 'col' }, t)))), tbody)),
	    h('nav', { class: 'pager', 'aria-label': `Pages of ${title}` },
	        prev, next));
	let alive = true;
	async function load(move) {
		const params = pager.params(move);
		prev.disabled = next.disabled = true;
		status.className = 'status';
		status.textContent = 'Loading…';
		try {
			const p = await api.get(path, params);
			if (!alive)
				return;
			pager.loaded(move, p, params);
			replace(tbody, p.data.map((x) => h('tr', {},
			    columns.map(([, cell]) => h('td', {}, cell(x))))));
			status.textContent = p.data.length ? '' : empty;
		} catch (e) {
			status.className = 'status error';
			status.textContent = `Could not load: ${e.message}`;
		}
		prev.disabled = !pager.hasPrev;
		next.disabled = !pager.hasNext;
	}
	prev.addEventListener('click', () => load('prev'));
	next.addEventListener('click', () => load('next'));
	load('first');
	return () => {
		alive = false;
	};
}

function badge(s) {
	return h('span', { class: `badge status-${s}` }, s.replace(/_/g, ' '));
}

export function renderSubscriptions(main) {
	return pagedTable(main, {
		title: 'Subscriptions',
		lead: 'Every subscription of this account, newest first.',
		path: '/v1/subscriptions',
		empty: 'No subscriptions yet.',
		columns: [
			['Subscription', (s) => h('code', {}, s.id)],
			['Customer', (s) => h('a', { href:
			    `#/customers/${encodeURIComponent(s.customer)}` },
			    s.customer)],
			['Status', (s) => badge(s.status)],
			['Current period ends', (s) => date(s.current_period_end)],
			['Created', (s) => date(s.created)],
		],
	});
}

export function renderWebhooks(main) {
	return pagedTable(main, {
		title: 'Webhooks',
		lead: 'Endpoints that receive this account’s events, signed with ' +
		    'their whsec_ secret. Manage them through the API.',
		path: '/v1/webhook_endpoints',
		empty: 'No webhook endpoints yet.',
		columns: [
			['URL', (w) => h('code', {}, w.url)],
			['Events', (w) => (w.enabled_events || []).join(', ')],
			['Status', (w) => badge(w.status ||
			    (w.disabled ? 'disabled' : 'enabled'))],
			['Created', (w) => date(w.created)],
		],
	});
}
