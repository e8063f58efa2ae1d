// The Customers page's Export button and Import dialog in Chromium (issue
// 15 "Export and import"): the export is the CSV of the current search,
// and an import shows the dry run's per-row errors before it may run,
// then follows the import pesaswap-jobs writes until it has ended.
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api } from '../lib/stack.mjs';
import { startJobs, stopJobs } from '../lib/jobs.mjs';
import { csvObjects } from '../lib/csv.mjs';
import { useBrowser, dashTest, newUser, signIn, unique, create }
    from './lib.mjs';

useBrowser();

/* A unique, valid email address. */
const uniqueEmail = (prefix) =>
    `${unique(prefix).replace(' ', '-').toLowerCase()}@example.com`;

dashTest('export_downloads_the_csv_of_the_current_search', async ({ page }) => {
	const user = await newUser();
	const tag = unique('Zed');
	const hit = await create(user, '/v1/customers', { name: `${tag} One`,
	    email: uniqueEmail('zed') });
	await create(user, '/v1/customers', { name: 'Other Person',
	    email: uniqueEmail('other') });
	await signIn(page, user);
	await page.getByRole('searchbox').fill(tag);
	await page.getByRole('link', { name: `${tag} One` }).waitFor();
	await page.getByRole('link', { name: 'Other Person' })
	    .waitFor({ state: 'detached' });
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Export' }).click(),
	]);
	assert.equal(download.suggestedFilename(), 'customers.csv');
	const rows = csvObjects(await readFile(await download.path(), 'utf8'));
	assert.deepEqual(rows.map((r) => r.id), [hit.id]);
});

dashTest('import_shows_row_errors_then_imports_a_clean_file',
    async ({ page }) => {
	const user = await newUser();
	const dir = await mkdtemp(join(tmpdir(), 'pesaswap-import-'));
	const bad = join(dir, 'bad.csv'), good = join(dir, 'good.csv');
	const email = uniqueEmail('imp');
	await writeFile(bad, `name,email\r\nFine,${email}\r\nBroken,nope\r\n`);
	await writeFile(good, `name,email\r\n"Doe, Jane",${email}\r\n`);
	await signIn(page, user);
	await page.getByRole('button', { name: 'Import' }).click();
	const dlg = page.getByRole('dialog', { name: 'Import customers' });
	await dlg.getByLabel('CSV file').setInputFiles(bad);
	await dlg.getByRole('button', { name: 'Check file' }).click();
	const errors = dlg.getByRole('table', { name: 'Rows with errors' });
	await errors.waitFor();
	const cells = await errors.locator('tbody tr').first()
	    .locator('th, td').allTextContents();
	assert.equal(cells[0], '3');
	assert.equal(cells[1], 'email');
	assert.ok(await dlg.getByRole('button', { name: 'Import' }).isDisabled(),
	    'a file with errors cannot be imported');
	let r = await api('/v1/customers', { key: user.account.testKey });
	assert.deepEqual(r.json.data, [], 'the dry run wrote nothing');

	await dlg.getByLabel('CSV file').setInputFiles(good);
	await dlg.getByRole('button', { name: 'Check file' }).click();
	await dlg.getByText('1 row: 1 new').waitFor();
	// Without pesaswap-jobs the import stays pending, and the dialog says
	// so; once one runs, it shows the outcome.
	await stopJobs();
	try {
		await dlg.getByRole('button', { name: 'Import' }).click();
		await dlg.getByText('Importing… 0 of 1 rows written.').waitFor();
	} finally {
		await startJobs();
	}
	await dlg.getByText('Import succeeded: 1 created').waitFor();
	r = await api('/v1/customers', { key: user.account.testKey });
	assert.deepEqual(r.json.data.map((c) => [c.name, c.email]),
	    [['Doe, Jane', email]]);
	await dlg.getByRole('button', { name: 'Close' }).click();
	await page.getByRole('link', { name: 'Doe, Jane' }).waitFor();
});
