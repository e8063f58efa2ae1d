// "Possible duplicates" (#/customers/duplicates, from the Customers
// page): the groups of GET /v1/customers/duplicates, a page at a time,
// each with why it matched and its customers, oldest first. The oldest
// is the one kept; every other has a Merge button that asks first, then
// POST /v1/customers/:id/merge moves it into the kept one and the page
// is read again.
import * as api from './api.js';
import { h, replace, confirmDialog, dataTable } from './dom.js';
import { date, isoDate } from './format.js';

const PAGE_SIZE = 10;	/* groups per page */

const REASONS = {
	email: 'Same email',
	phone: 'Same phone',
	name_and_email: 'Same name and email',
	name_and_phone: 'Same name and phone',
};

/** Renders the page into MAIN; returns its cleanup. */
export function render(main) {
	const alive = { on: true };
	const cursors = [undefined];	/* starting_after of each page seen */
	const status = h('p', { class: 'status', role: 'status' });
	const groups = h('div', { class: 'dup-groups' });
	const prev = h('button', { type: 'button', class: 'button' },
	    'Previous');
	const next = h('button', { type: 'button', class: 'button' }, 'Next');
	document.title = 'Possible duplicates · PesaSwap';
	replace(main,
	    h('p', {}, h('a', { href: '#/customers' }, '← Customers')),
	    h('div', { class: 'page-head' },
	        h('h1', {}, 'Possible duplicates')),
	    h('p', { class: 'lead' }, 'Customers that share an email (ignoring ' +
	        'case, and dots and +tags for Gmail) or a phone number. ' +
	        'Merging moves payments, payment methods, subscriptions and ' +
	        'schedules to the customer kept, and deletes the other.'),
	    status, groups,
	    h('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, next));

	async function load() {
		const after = cursors.at(-1);
		status.textContent = 'Loading…';
		let page;
		try {
			page = await api.get('/v1/customers/duplicates',
			    { limit: PAGE_SIZE, starting_after: after });
		} catch (e) {
			if (alive.on)
				status.textContent = e.message;
			return;
		}
		if (!alive.on)
			return;
		status.textContent = page.data.length ? `${page.data.length} ` +
		    `group${page.data.length === 1 ? '' : 's'} on this page.` :
		    'No possible duplicates.';
		replace(groups, page.data.map((g) => group(g, load)));
		prev.disabled = cursors.length < 2;
		next.disabled = !page.has_more;
		next.onclick = () => {
			cursors.push(page.data.at(-1).id);
			load();
		};
	}
	prev.onclick = () => {
		cursors.pop();
		load();
	};
	load();
	return () => {
		alive.on = false;
	};
}

/* One group: its reason and key, and its customers with Merge buttons. */
function group(g, reload) {
	const [kept] = g.customers;
	const title = `${REASONS[g.reason] || g.reason}: ${g.key}`;
	const table = dataTable({
		caption: title,
		className: 'table dup-group',
		columns: [
			['Name', (c) => h('a', { href: api.uri`#/customers/${c.id}` },
			    c.name), { scope: 'row' }],
			['Email', (c) => c.email],
			['Phone', (c) => c.phone || '—'],
			['Created', (c) => h('time', { datetime: isoDate(c.created) },
			    date(c.created))],
			['', (c) => c.id === kept.id ? 'Kept' :
			    h('button', { type: 'button', class: 'button',
			        onclick: () => merge(kept, c, reload) },
			        `Merge into ${kept.name}`)],
		],
		rows: g.customers,
	});
	return h('section', { class: 'dup-group', 'data-reason': g.reason },
	    h('h2', {}, title),
	    g.customer_count > g.customers.length ? h('p', {},
	        `${g.customer_count} customers; the oldest ` +
	        `${g.customers.length} are shown.`) : null,
	    table.el);
}

async function merge(kept, from, reload) {
	const ok = await confirmDialog({
		title: 'Merge customers?',
		body: [`${from.name} (${from.email}) will be merged into ` +
		    `${kept.name} (${kept.email}) and deleted.`,
		    'Its payments, payment methods, subscriptions and schedules ' +
		    `move to ${kept.name}; fields ${kept.name} lacks are filled ` +
		    'from it. This cannot be undone.'],
		confirmLabel: 'Merge',
	});
	if (!ok)
		return;
	try {
		await api.post(api.uri`/v1/customers/${kept.id}/merge`,
		    { from: from.id });
	} catch (e) {
		await confirmDialog({ title: 'Could not merge the customers',
		    body: e.message, confirmLabel: 'OK', danger: false });
	}
	reload();
}
