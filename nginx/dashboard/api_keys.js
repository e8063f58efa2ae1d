// The API keys page: the account's keys, redacted; "Create key" shows the
// new secret once (in this page's DOM only: never stored, never in the
// URL; leaving or reloading the page drops it); "Revoke" after a
// confirmation. Session only (dashboard contract "API keys page").
import * as api from './api.js';
import { h, replace, confirmDialog, dataTable } from './dom.js';
import { date } from './format.js';

export function render(main) {
	document.title = 'API keys · PesaSwap';
	const keys = dataTable({ caption: 'API keys', columns: [
		['Key', (k) => h('code', {}, k.redacted)],
		['Mode', (k) => k.mode === 'live' ? 'Live' : 'Test'],
		['Type', (k) => k.type === 'restricted' ?
		    `Restricted (${(k.permissions || []).join(', ')})` : 'Secret'],
		['Created', (k) => date(k.created)],
		['Status', (k) => k.revoked ? h('span',
		    { class: 'badge status-canceled' }, 'revoked') :
		    h('span', { class: 'badge status-active' }, 'active')],
		['', (k) => k.revoked ? null : revokeButton(k, load)],
	] });
	const status = h('p', { class: 'status', role: 'status' });
	const reveal = h('div', { class: 'reveal-slot' });
	const mode = h('select', { id: 'key-mode' },
	    h('option', { value: 'test', selected: !api.isLive() }, 'Test'),
	    h('option', { value: 'live', selected: api.isLive() }, 'Live'));
	const create = h('button', { type: 'submit', class: 'button primary' },
	    'Create secret key');
	const form = h('form', { class: 'toolbar' },
	    h('div', { class: 'inline-field' }, h('label', { for: 'key-mode' },
	        'Mode'), mode), create);
	replace(main,
	    h('div', { class: 'page-head' }, h('h1', {}, 'API keys')),
	    h('p', { class: 'lead' }, 'Secret keys give full access to this ' +
	        'account through the API. A key is shown once, when it is ' +
	        'created; keep it in your server’s configuration, never in a ' +
	        'browser or an app.'),
	    form, reveal,
	    h('div', { class: 'table-wrap' }, keys.el),
	    status);

	async function load() {
		status.className = 'status';
		status.textContent = 'Loading…';
		try {
			const list = await api.get('/v1/dashboard/api_keys');
			keys.fill(list.data);
			status.textContent = list.data.length ? '' : 'No keys yet.';
		} catch (e) {
			status.className = 'status error';
			status.textContent = `Could not load the keys: ${e.message}`;
		}
	}
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		create.disabled = true;
		replace(reveal);
		try {
			const k = await api.post('/v1/dashboard/api_keys',
			    { mode: mode.value });
			showSecret(reveal, k);
			await load();
		} catch (err) {
			replace(reveal, h('p', { class: 'status error', role: 'alert' },
			    err.message));
		} finally {
			create.disabled = false;
		}
	});
	load();
	return () => replace(reveal);	/* the secret leaves with the page */
}

/* "Revoke", after a confirmation; RELOAD shows the list again. */
function revokeButton(k, reload) {
	const revoke = h('button', { type: 'button',
	    class: 'button small danger-outline' }, 'Revoke');
	revoke.addEventListener('click', async () => {
		const ok = await confirmDialog({
			title: 'Revoke this key?',
			body: [`${k.redacted} stops working at once: every ` +
			    'request made with it is refused.',
			    'This cannot be undone.'],
			confirmLabel: 'Revoke key',
		});
		if (!ok)
			return;
		try {
			await api.del(api.uri`/v1/dashboard/api_keys/${k.id}`);
		} catch (e) {
			await confirmDialog({ title: 'Could not revoke the key',
			    body: e.message, confirmLabel: 'OK', danger: false });
		}
		reload();
	});
	return revoke;
}

function showSecret(slot, k) {
	const code = h('code', { class: 'secret', id: 'new-secret' }, k.secret);
	const copied = h('span', { class: 'muted small', role: 'status' });
	const copy = h('button', { type: 'button', class: 'button' }, 'Copy');
	copy.addEventListener('click', async () => {
		try {
			await navigator.clipboard.writeText(k.secret);
			copied.textContent = 'Copied.';
		} catch {
			/* No clipboard access: select it for the keyboard. */
			const r = document.createRange();
			r.selectNodeContents(code);
			getSelection().removeAllRanges();
			getSelection().addRange(r);
			copied.textContent = 'Selected: press Ctrl+C to copy.';
		}
	});
	const dismiss = h('button', { type: 'button', class: 'button' },
	    'Done, I have saved it');
	dismiss.addEventListener('click', () => replace(slot));
	replace(slot, h('div', { class: 'reveal', role: 'alert' },
	    h('h2', {}, `Your new ${k.mode} secret key`),
	    h('p', { class: 'warning' }, 'Copy it now: this is the only time it ' +
	        'is shown. It is not stored in the dashboard; if you lose it, ' +
	        'revoke it and create another.'),
	    h('div', { class: 'secret-row' }, code, copy, copied),
	    h('div', { class: 'actions' }, dismiss)));
	copy.focus();
}
