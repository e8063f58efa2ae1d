// Helpers shared by the client suites (tests/sdk/).
import assert from 'node:assert/strict';

/**
 * Awaits PROMISE, which must reject, and returns its error, so the test
 * checks it; a call that succeeds fails the test.
 */
export async function rejection(promise) {
	try {
		await promise;
	} catch (err) {
		return err;
	}
	assert.fail('the call succeeded but an error was expected');
}
