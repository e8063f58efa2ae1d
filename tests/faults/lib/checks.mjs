// What must hold after a fault, checked against MariaDB itself (the
// mariadb client with the stack's PESASWAP_DB_* settings, the password in
// MYSQL_PWD so it shows on no command line) and against the API.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { env, api } from '../../lib/stack.mjs';
import { acknowledged, retryable } from './load.mjs';

const run = promisify(execFile);

/** Runs SQL in the pesaswap database; the rows as arrays of strings. */
export async function sql(text) {
	const args = ['--no-defaults', '--batch', '--skip-column-names',
	    '--raw', '-u', env.PESASWAP_DB_USER];
	if (env.PESASWAP_DB_SOCKET)
		args.push(`--socket=${env.PESASWAP_DB_SOCKET}`);
	else
		args.push('-h', env.PESASWAP_DB_HOST, '-P', env.PESASWAP_DB_PORT);
	args.push(env.PESASWAP_DB_NAME, '-e', text);
	const { stdout } = await run('mariadb', args, {
		env: { ...process.env, MYSQL_PWD: env.PESASWAP_DB_PASSWORD },
		maxBuffer: 256 * 1024 * 1024, timeout: 60000,
	});
	return stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// An account id as an SQL literal (ids are [A-Za-z0-9_] only).
function lit(s) {
	if (!/^[A-Za-z0-9_]+$/.test(s))
		throw new Error(`not an id: ${s}`);
	return `'${s}'`;
}

/**
 * The server's durability settings: { flushLog, doublewrite, logBin,
 * syncBinlog }.
 */
export async function durability() {
	const [[flushLog, doublewrite, logBin, syncBinlog]] = await sql(
	    'SELECT @@innodb_flush_log_at_trx_commit, @@innodb_doublewrite,' +
	    ' @@log_bin, @@sync_binlog');
	return { flushLog: Number(flushLog), doublewrite: Number(doublewrite),
	    logBin: Number(logBin), syncBinlog: Number(syncBinlog) };
}

/**
 * Every object of ACCOUNT (test mode) the load made, by request key:
 * Map key -> [{id, kind, status, customer, amount, currency}] and the
 * events per object id: Map id -> [type].
 */
async function objectsOf(account) {
	const byKey = new Map();
	const add = (key, o) => {
		if (!byKey.has(key))
			byKey.set(key, []);
		byKey.get(key).push(o);
	};
	for (const [id, key] of await sql(
	    "SELECT id, JSON_VALUE(metadata, '$.req') FROM customers" +
	    ` WHERE account_id = ${lit(account)} AND livemode = 0`))
		add(key, { id, kind: 'customer' });
	for (const [id, key, status, customer, amount, currency] of await sql(
	    "SELECT id, JSON_VALUE(metadata, '$.req'), status," +
	    " IFNULL(customer_id, ''), amount, currency FROM payments" +
	    ` WHERE account_id = ${lit(account)} AND livemode = 0`))
		add(key, { id, kind: 'payment', status, customer: customer || null,
		    amount: Number(amount), currency });
	const events = new Map();
	for (const [id, type] of await sql(
	    "SELECT JSON_VALUE(data, '$.object.id'), type FROM events" +
	    ` WHERE account_id = ${lit(account)} AND livemode = 0`)) {
		if (!events.has(id))
			events.set(id, []);
		events.get(id).push(type);
	}
	return { byKey, events };
}

const EVENT_OF = { customer: () => 'customer.created',
    payment: (o) => o.status === 'failed' ? 'payment.failed' :
    'payment.succeeded' };

/**
 * Compares the load's RECORDS with the database of ACCOUNT. Returns the
 * counts {requests, attempts, retried, acknowledged, unfinished, lost,
 * doubled, orphans, unexpected, badEvents} and, for each kind of problem,
 * a few examples in `problems`.
 */
export async function verifyWrites(account, records, tag) {
	const { byKey, events } = await objectsOf(account);
	const c = { requests: records.length, attempts: 0, retried: 0,
	    acknowledged: 0, replayed: 0, unfinished: 0, lost: 0, doubled: 0,
	    orphans: 0, unexpected: 0, badEvents: 0, mismatched: 0 };
	const problems = [];
	const note = (what, rec, extra) => {
		if (problems.length < 20)
			problems.push(`${what}: ${rec?.idemKey ?? ''} ${extra ?? ''}`);
	};
	const known = new Set();
	for (const rec of records) {
		known.add(rec.idemKey);
		c.attempts += rec.attempts;
		if (rec.attempts > 1)
			c.retried++;
		if (rec.replayed)
			c.replayed++;
		const rows = byKey.get(rec.idemKey) ?? [];
		if (rows.length > 1) {
			c.doubled++;
			note('doubled', rec, rows.map((o) => o.id).join(','));
		}
		if (acknowledged(rec)) {
			c.acknowledged++;
			if (rows.length === 0) {
				c.lost++;
				note('lost', rec, rec.id);
			} else if (rows.length === 1 && rows[0].id !== rec.id) {
				c.mismatched++;
				note('answered one id, stored another', rec,
				    `${rec.id} vs ${rows[0].id}`);
			}
			if (rec.kind === 'payment' && rows.length === 1 &&
			    (rows[0].status === 'failed') !== (rec.status === 402)) {
				c.mismatched++;
				note('status differs', rec, `${rec.status} ${rows[0].status}`);
			}
		} else if (rec.status === null || retryable(rec.status))
			c.unfinished++;	/* may or may not exist: at most once */
		else {
			c.unexpected++;
			note(`final status ${rec.status}`, rec, rec.error);
		}
	}
	for (const [key, rows] of byKey) {
		// the warm-ups' and leak runs' objects are no orphans (their
		// keys carry another tag), but their events are checked too
		if (!known.has(key) && String(key).startsWith(`${tag}-`) &&
		    /^\d/.test(key.slice(tag.length + 1))) {
			c.orphans += rows.length;
			note('object of no request', null, `${key} ${rows[0].id}`);
		}
		for (const o of rows) {
			const types = events.get(o.id) ?? [];
			const want = EVENT_OF[o.kind](o);
			if (types.length !== 1 || types[0] !== want) {
				c.badEvents++;
				note('events', null, `${o.id}: ${JSON.stringify(types)}, want ${want}`);
			}
		}
	}
	return { counts: c, problems };
}

/**
 * Recounts the analytics of every customer with a payment in RECORDS from
 * the payments table, and compares with GET /v1/customers/:id/analytics.
 * Returns {customers, problems}.
 */
export async function verifyAnalytics(account, key, records) {
	const ids = [...new Set(records.filter((r) => r.kind === 'payment' &&
	    r.customer).map((r) => r.customer))];
	const want = new Map(ids.map((id) => [id, { total: 0, failed: 0,
	    volume: {}, last: null }]));
	for (const [cust, status, currency, n, sum] of await sql(
	    'SELECT customer_id, status, currency, COUNT(*), SUM(amount)' +
	    ` FROM payments WHERE account_id = ${lit(account)}` +
	    ' AND livemode = 0 AND customer_id IS NOT NULL' +
	    ' GROUP BY customer_id, status, currency')) {
		const w = want.get(cust);
		if (!w)
			continue;
		if (status === 'failed')
			w.failed += Number(n);
		else if (status === 'succeeded') {
			w.total += Number(n);
			w.volume[currency] = { payments: Number(n), total: Number(sum) };
		}
	}
	for (const [cust, id] of await sql(
	    'SELECT p.customer_id, p.id FROM payments p JOIN (SELECT' +
	    ' customer_id, MAX(pk) AS pk FROM payments WHERE account_id =' +
	    ` ${lit(account)} AND livemode = 0 AND status = 'succeeded'` +
	    ' AND customer_id IS NOT NULL GROUP BY customer_id) l' +
	    ' ON p.pk = l.pk'))
		if (want.has(cust))
			want.get(cust).last = id;
	const problems = [];
	for (const [id, w] of want) {
		const res = await api(`/v1/customers/${id}/analytics`, { key });
		const a = res.json ?? {};
		const got = {};
		for (const v of a.volume ?? [])
			got[v.currency] = { payments: v.payments, total: v.total_volume,
			    average: v.average_transaction };
		const diff = [];
		if (res.status !== 200)
			diff.push(`status ${res.status}`);
		if (a.total_payments !== w.total)
			diff.push(`total_payments ${a.total_payments} != ${w.total}`);
		if (a.failed_payments !== w.failed)
			diff.push(`failed_payments ${a.failed_payments} != ${w.failed}`);
		if ((a.last_payment?.id ?? null) !== w.last)
			diff.push(`last_payment ${a.last_payment?.id} != ${w.last}`);
		const cur = new Set([...Object.keys(got), ...Object.keys(w.volume)]);
		for (const k of cur) {
			const g = got[k], e = w.volume[k];
			const avg = e ? Math.sign(e.total) *
			    Math.round(Math.abs(e.total) / e.payments) : undefined;
			if (!g || !e || g.payments !== e.payments ||
			    g.total !== e.total || g.average !== avg)
				diff.push(`${k}: ${JSON.stringify(g)} != ` +
				    JSON.stringify(e && { ...e, average: avg }));
		}
		if (diff.length && problems.length < 10)
			problems.push(`${id}: ${diff.join('; ')}`);
	}
	return { customers: want.size, problems };
}
