// The TypeScript declarations of @pesaswap/node (clients/js/index.d.ts):
// sdk/types/client.ts, the seed's snippets and every resource the client
// adds, compiles with `tsc --strict` against them (typescript and
// @types/node pinned in tests/package.json), and each of its
// @ts-expect-error lines is an error, so declarations that accepted a
// mistake fail here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc',
    import.meta.url));
const PROJECT = fileURLToPath(new URL('./types/tsconfig.json',
    import.meta.url));

test('sdk/types/client.ts typechecks with tsc --strict', async () => {
	let out;
	try {
		out = await run(process.execPath, [TSC, '-p', PROJECT,
		    '--pretty', 'false'], { timeout: 240000 });
	} catch (e) {
		assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
	}
	assert.equal(out.stdout + out.stderr, '');
});
