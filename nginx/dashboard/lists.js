// Read-only lists of the account's subscriptions and webhook endpoints,
// one page at a time (API.md "Prices, subscriptions…", "Webhooks").
import * as api from './api.js';
import { h, replace, badge } from './dom.js';
import { date } from './format.js';
import { pagedTable } from './pager.js';

const PAGE_SIZE = 20;

/* A page of its own holding a paged table of PATH (pager.js). */
function listPage(main, { title, lead, path, columns, empty }) {
	document.title = `${title} · PesaSwap`;
	const t = pagedTable({ caption: title, path, size: PAGE_SIZE, columns,
	    empty });
	replace(main,
	    h('div', { class: 'page-head' }, h('h1', {}, title)),
	    h('p', { class: 'lead' }, lead),
	    t.status, t.table, t.nav);
	t.load('first');
	return t.stop;
}

export function renderSubscriptions(main) {
	return listPage(main, {
		title: 'Subscriptions',
		lead: 'Every subscription of this account, newest first.',
		path: '/v1/subscriptions',
		empty: 'No subscriptions yet.',
		columns: [
			['Subscription', (s) => h('code', {}, s.id)],
			['Customer', (s) => h('a',
			    { href: api.uri`#/customers/${s.customer}` }, s.customer)],
			['Status', (s) => badge(s.status)],
			['Current period ends', (s) => date(s.current_period_end)],
			['Created', (s) => date(s.created)],
		],
	});
}

export function renderWebhooks(main) {
	return listPage(main, {
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
