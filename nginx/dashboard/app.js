// The dashboard's entry: the session, the signed-in shell (sidebar, the
// "Test data" switch, sign-out) and hash routing (#/customers,
// #/customers/duplicates, #/customers/cust_…, #/api-keys, …) so reload and Back work.
import * as api from './api.js';
import { h, replace, field, setFieldError } from './dom.js';
import * as customers from './customers.js';
import * as customer from './customer.js';
import * as duplicates from './duplicates.js';
import * as apiKeys from './api_keys.js';
import * as lists from './lists.js';

const app = document.getElementById('app');
const MODE_KEY = 'pesaswap.mode';	/* "live" or absent; not a secret */

const ROUTES = [
	{ re: /^#\/customers\/?$/, nav: 'customers', page: customers.render },
	/* Before the customer's page, whose pattern it would match. */
	{ re: /^#\/customers\/duplicates$/, nav: 'customers',
	    page: duplicates.render },
	{ re: /^#\/customers\/([A-Za-z0-9_]+)$/, nav: 'customers',
	    page: customer.render },
	{ re: /^#\/subscriptions\/?$/, nav: 'subscriptions',
	    page: lists.renderSubscriptions },
	{ re: /^#\/webhooks\/?$/, nav: 'webhooks', page: lists.renderWebhooks },
	{ re: /^#\/api-keys\/?$/, nav: 'api-keys', page: apiKeys.render },
];

const NAV = [
	['customers', '#/customers', 'Customers'],
	['subscriptions', '#/subscriptions', 'Subscriptions'],
	['webhooks', '#/webhooks', 'Webhooks'],
	['api-keys', '#/api-keys', 'API keys'],
];

let shell = null;	/* {main, links, banner, toggle} while signed in */
let cleanup = null;	/* what the current page wants done when left */
let rendered = false;

// ---------------------------------------------------------------- sign-in

function signInPage(notice) {
	shell = null;
	const email = field('Email', { type: 'email', name: 'email',
	    autocomplete: 'username', required: true });
	const password = field('Password', { type: 'password',
	    name: 'password', autocomplete: 'current-password', required: true });
	const alert = h('p', { class: 'form-error', role: 'alert' });
	const button = h('button', { type: 'submit', class: 'button primary' },
	    'Sign in');
	const form = h('form', { class: 'signin-form', novalidate: true },
	    email.wrap, password.wrap, alert, button);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		setFieldError(email, '');
		setFieldError(password, '');
		alert.textContent = '';
		button.disabled = true;
		button.textContent = 'Signing in…';
		try {
			await api.signIn(email.input.value.trim(),
			    password.input.value);
			if (!/^#\/./.test(location.hash) ||
			    location.hash === '#/sign-in')
				history.replaceState(null, '', '#/customers');
			route();
		} catch (err) {
			showSignInError(err, { email, password, alert });
			button.disabled = false;
			button.textContent = 'Sign in';
		}
	});
	replace(app, h('main', { class: 'signin', id: 'main' },
	    h('div', { class: 'signin-card' },
	        h('p', { class: 'brand' }, 'PesaSwap'),
	        h('h1', {}, 'Sign in to your dashboard'),
	        notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
	        form)));
	document.title = 'Sign in · PesaSwap';
	email.input.focus();
}

function showSignInError(err, { email, password, alert }) {
	if (err.status === 429) {
		const n = err.retryAfter || 60;
		alert.textContent = `Too many attempts, try again in ${n} s.`;
	} else if (err.param === 'email' || err.param === 'password') {
		setFieldError(err.param === 'email' ? email : password,
		    err.message);
	} else {
		alert.textContent = err.message;
	}
}

// ------------------------------------------------------------------ shell

function buildShell() {
	const s = api.currentSession();
	const links = new Map();
	const toggle = h('input', { type: 'checkbox', role: 'switch',
	    id: 'test-data', checked: !api.isLive() });
	toggle.addEventListener('change', () => {
		api.setLive(!toggle.checked);
		if (api.isLive())
			sessionStorage.setItem(MODE_KEY, 'live');
		else
			sessionStorage.removeItem(MODE_KEY);
		showMode();
		/* An object of one mode does not exist in the other. */
		if (/^#\/customers\/./.test(location.hash))
			location.hash = '#/customers';
		else
			route();
	});
	const signOut = h('button', { type: 'button', class: 'button' },
	    'Sign out');
	signOut.addEventListener('click', async () => {
		signOut.disabled = true;
		try {
			await api.signOut();
		} catch {
			/* ended here regardless; the cookie dies with it */
		}
		history.replaceState(null, '', '#/sign-in');
		signInPage('You have signed out.');
	});
	const nav = h('ul', { class: 'nav' }, NAV.map(([key, href, label]) => {
		const a = h('a', { href }, label);
		links.set(key, a);
		return h('li', {}, a);
	}), h('li', { class: 'nav-docs' },
	    h('a', { href: '/docs/' }, 'API reference')));
	const banner = h('p', { class: 'test-banner', role: 'status' },
	    h('strong', {}, 'Test data'),
	    ' — you are looking at test data. Switch off “Test data” to see ' +
	    'live data.');
	const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
	replace(app, h('div', { class: 'shell' },
	    h('nav', { class: 'sidebar', 'aria-label': 'Dashboard' },
	        h('p', { class: 'brand' }, 'PesaSwap'),
	        nav,
	        h('div', { class: 'sidebar-foot' },
	            h('label', { class: 'switch', for: 'test-data' }, toggle,
	                h('span', {}, 'Test data')),
	            h('p', { class: 'who', title: s.email }, s.email),
	            signOut)),
	    h('div', { class: 'content' }, banner, main)));
	shell = { main, links, banner, toggle };
	showMode();
}

function showMode() {
	shell.banner.hidden = api.isLive();
	shell.toggle.checked = !api.isLive();
	document.body.classList.toggle('live', api.isLive());
}

// ---------------------------------------------------------------- routing

function route() {
	if (!api.currentSession()) {
		signInPage();
		return;
	}
	if (!shell)
		buildShell();
	if (!location.hash || location.hash === '#/' ||
	    location.hash === '#/sign-in') {
		history.replaceState(null, '', '#/customers');
	}
	if (cleanup) {
		cleanup();
		cleanup = null;
	}
	const r = ROUTES.find((x) => x.re.test(location.hash));
	for (const [key, a] of shell.links) {
		if (r && key === r.nav)
			a.setAttribute('aria-current', 'page');
		else
			a.removeAttribute('aria-current');
	}
	replace(shell.main);
	if (!r) {
		replace(shell.main, h('h1', {}, 'Page not found'),
		    h('p', {}, h('a', { href: '#/customers' }, 'Go to Customers')));
		return;
	}
	const m = r.re.exec(location.hash);
	cleanup = r.page(shell.main, m.slice(1)) || null;
	/* After a navigation (not the first page), focus the new page. */
	if (rendered)
		shell.main.focus({ preventScroll: false });
	rendered = true;
}

async function boot() {
	api.setLive(sessionStorage.getItem(MODE_KEY) === 'live');
	api.whenSessionLost(() => {
		shell = null;
		signInPage('Your session has ended. Sign in again.');
	});
	window.addEventListener('hashchange', () => {
		if (api.currentSession())
			route();
	});
	try {
		await api.resumeSession();
	} catch (e) {
		replace(app, h('main', { class: 'signin' },
		    h('h1', {}, 'The dashboard cannot reach the API'),
		    h('p', { role: 'alert' }, e.message),
		    h('button', { type: 'button', class: 'button',
		        onclick: () => location.reload() }, 'Try again')));
		return;
	}
	route();
}

boot();
