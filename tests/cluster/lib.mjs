// Helpers of the cluster tests (tests/cluster/cluster.sh's stack, run from
// inside its switch namespace): the cluster's commands, SQL on one node,
// and a webhook receiver on the switch's address.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { env } from '../lib/stack.mjs';

const run = promisify(execFile);
export const NODES = Number(env.PESASWAP_CLUSTER_NODES ?? 3);
export const HOSTS = Number(env.PESASWAP_CLUSTER_HOSTS ?? 3);
export const nodeIp = (n) => `10.77.0.${n}`;
export const hostIp = (n) => `10.77.0.${10 + n}`;
const CLIENT_IP = '10.77.0.254';

/** bash tests/cluster/cluster.sh CMD [ARG]; its stdout. */
export async function cluster(cmd, arg) {
	const args = [env.PESASWAP_STACK, cmd];
	if (arg !== undefined)
		args.push(String(arg));
	const { stdout } = await run('bash', args,
	    { env: process.env, timeout: 240000 });
	return stdout;
}

/** SQL on node N (TCP, the service's user); rows as arrays of strings. */
export async function nodeSql(n, text) {
	const { stdout } = await run('mariadb', ['--no-defaults', '--batch',
	    '--skip-column-names', '--raw', '--connect-timeout=3',
	    '-h', nodeIp(n), '-u', env.PESASWAP_DB_USER, env.PESASWAP_DB_NAME,
	    '-e', text], { env: { ...process.env,
	    MYSQL_PWD: env.PESASWAP_DB_PASSWORD }, timeout: 60000 });
	return stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/**
 * A webhook receiver on the switch's address: answers 200 after DELAY_MS
 * (so deliveries are in flight for a while). {url, received (Map event
 * id -> count), inflight (Map sender address -> count), close()}.
 */
export async function receiver(delayMs = 100) {
	const received = new Map();
	const inflight = new Map();
	const server = createServer((req, res) => {
		const from = req.socket.remoteAddress.replace(/^::ffff:/, '');
		inflight.set(from, (inflight.get(from) ?? 0) + 1);
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => setTimeout(() => {
			inflight.set(from, inflight.get(from) - 1);
			try {
				const id = JSON.parse(Buffer.concat(chunks)).id;
				received.set(id, (received.get(id) ?? 0) + 1);
			} catch { /* counted as not received */ }
			res.end('ok');
		}, delayMs));
	});
	await new Promise((r) => server.listen(0, CLIENT_IP, r));
	return { url: `http://${CLIENT_IP}:${server.address().port}/hook`,
	    received, inflight,
	    close: () => new Promise((r) => server.close(r)) };
}

/** Connections of the service's user on node N, by client address. */
export async function clientsOn(n) {
	const out = {};
	for (const [host] of await nodeSql(n, "SELECT SUBSTRING_INDEX(host," +
	    " ':', 1) FROM information_schema.processlist WHERE user =" +
	    ` '${env.PESASWAP_DB_USER}' AND id <> CONNECTION_ID()`))
		out[host] = (out[host] ?? 0) + 1;
	return out;
}
