// The Customers page's Export button and Import dialog (issue 15 "Export
// and import"). Export downloads GET /v1/customers/export of the current
// search as CSV. Import checks the chosen CSV with a dry run, shows its
// per-row errors, and only then imports it ("skip" or "update" for
// customers whose email exists). The import answers at once (pending);
// pesaswap-jobs writes it, and the dialog polls it until it ends.
import * as api from './api.js';
import { h, replace, field, newId, dataTable, showModal } from './dom.js';

/** Downloads the CSV of QUERY (a search, or every customer). */
export async function exportCsv(query, status) {
	status.textContent = 'Preparing the export…';
	try {
		const { blob, filename } = await api.download(
		    '/v1/customers/export', { format: 'csv', query });
		const a = h('a', { href: URL.createObjectURL(blob),
		    download: filename });
		document.body.append(a);
		a.click();
		a.remove();
		setTimeout(() => URL.revokeObjectURL(a.href), 10000);
		status.textContent = 'Export downloaded.';
	} catch (err) {
		status.textContent = `The export failed: ${err.message}`;
	}
}

const ERROR_COLUMNS = [
	['Row', (e) => String(e.row), { scope: 'row' }],
	['Field', (e) => e.param || '—'],
	['Problem', (e) => e.message || e.code || ''],
];

/* How often a running import is read again. */
const POLL_MS = 500;

/* What a dry run or an import found, in words. */
function summary(r) {
	if (r.mode === 'dry_run')
		return `${r.rows_total} row${r.rows_total === 1 ? '' : 's'}: ` +
		    `${r.created} new, ${r.skipped} with an existing email, ` +
		    `${r.errors.length} with errors.`;
	return `Import ${r.status}: ${r.created} created, ${r.updated} ` +
	    `updated, ${r.skipped} skipped of ${r.rows_total}.`;
}

/* Reads import R again until it has ended, showing its progress in
 * STATUS; resolves to its last state. */
async function follow(r, status) {
	while (r.status === 'pending' || r.status === 'running') {
		status.textContent = `Importing… ${r.rows_processed} of ` +
		    `${r.rows_total} rows written.`;
		await new Promise((resolve) => setTimeout(resolve, POLL_MS));
		r = await api.call('GET', api.uri`/v1/customers/imports/${r.id}`);
	}
	return r;
}

/** Opens the Import dialog; DONE() runs after an import. */
export function openImport(done) {
	const titleId = newId('dlg');
	const file = field('CSV file', { type: 'file', name: 'file',
	    accept: '.csv,text/csv' }, 'Columns: name, email, phone, metadata ' +
	    '(a header row first), as the export writes them.');
	const mode = field('Existing emails', { tag: 'select', name: 'mode' },
	    'What to do with a row whose email a customer has already.');
	replace(mode.input,
	    h('option', { value: 'skip' }, 'Skip them'),
	    h('option', { value: 'update' }, 'Update those customers'));
	const result = h('p', { class: 'import-summary', role: 'status' });
	const errors = h('div', { class: 'import-errors' });
	const check = h('button', { type: 'button', class: 'button' },
	    'Check file');
	const run = h('button', { type: 'button', class: 'button primary',
	    disabled: true }, 'Import');
	const cancel = h('button', { type: 'button', class: 'button' }, 'Close');
	const dlg = h('dialog', { class: 'dialog', id: 'import-dialog',
	    'aria-labelledby': titleId },
	    h('h2', { id: titleId }, 'Import customers'), file.wrap, mode.wrap,
	    result, errors, h('div', { class: 'actions' }, cancel, check, run));
	let text = null;

	async function send(m) {
		result.textContent = m === 'dry_run' ? 'Checking…' : 'Importing…';
		replace(errors);
		try {
			let r = await api.call('POST', '/v1/customers/import', {
			    params: { mode: m }, raw: text, type: 'text/csv' });
			if (m !== 'dry_run')
				r = await follow(r, result);
			result.textContent = summary(r);
			return r;
		} catch (err) {
			result.textContent = err.message;
			return null;
		}
	}
	function showErrors(list) {
		if (list.length)
			replace(errors, dataTable({ caption: 'Rows with errors',
			    showCaption: true, columns: ERROR_COLUMNS, rows: list,
			    id: 'import-errors-table' }).el);
	}
	file.input.addEventListener('change', () => {
		run.disabled = true;
		result.textContent = '';
		replace(errors);
	});
	check.addEventListener('click', async () => {
		const f = file.input.files[0];
		if (!f) {
			result.textContent = 'Choose a CSV file first.';
			return;
		}
		text = await f.text();
		const r = await send('dry_run');
		if (r) {
			showErrors(r.errors);
			run.disabled = r.errors.length > 0;
		}
	});
	run.addEventListener('click', async () => {
		run.disabled = true;
		const r = await send(mode.input.value);
		if (r) {
			showErrors(r.errors);
			done();
		}
	});
	showModal(dlg, cancel);
	file.input.focus();
}
