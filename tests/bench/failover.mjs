// A Galera node's death under load, for tests/bench/cluster.sh (run in
// the cluster's switch namespace, PESASWAP_VAR its directory): the fault
// suite's retrying clients (keyed writes) for 20 s, node d2 SIGKILLed at
// 5 s; prints one line: the time to the first write answered after the
// death, the longest time without one, the requests that saw an error
// and what became of them.
import { env } from '../lib/stack.mjs';
import { runLoad, settle } from '../faults/lib/load.mjs';
import { verifyWrites } from '../faults/lib/checks.mjs';
import { cluster } from '../cluster/lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const keys = Array(6).fill(env.PESASWAP_TEST_KEY);
let killedAt;
const load = runLoad({ keys, tag: 'failover', durationMs: 20000,
    maxRequests: 100000, rate: 10 });
await sleep(5000);
await cluster('db-kill', 2);
killedAt = Date.now();
const records = await load;
await settle(records);
const ok = records.flatMap((r) => r.tries)
    .filter((t) => t.status === 200 || t.status === 402).map((t) => t.t1)
    .sort((a, b) => a - b);
const after = ok.filter((t) => t > killedAt);
let stall = 0;
for (let i = 1; i < ok.length; i++)
	if (ok[i] > killedAt && ok[i - 1] > killedAt - 10000)
		stall = Math.max(stall, ok[i] - ok[i - 1]);
const errored = records.filter((r) => r.tries.some((t) => t.status === 0 ||
    t.status >= 500)).length;
const { counts: c } = await verifyWrites(env.PESASWAP_ACCOUNT_ID, records,
    'failover');
console.log(`node d2 SIGKILLed under ${records.length} keyed writes: ` +
    `first write answered ${after[0] - killedAt} ms after, longest gap ` +
    `between answered writes ${stall} ms; ${errored} requests saw an ` +
    `error (retried with their key); acknowledged ${c.acknowledged}, ` +
    `lost ${c.lost}, doubled ${c.doubled}, unfinished ${c.unfinished}`);
