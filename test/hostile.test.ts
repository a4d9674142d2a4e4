import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {startFakeInspector, type Behaviour} from './fake-inspector.js';
import {isOneLineError, runLeaktop} from './run-leaktop.js';

/** Each broken inspector, what leaktop must say, and whether it gives up (2) or samples on and reports (0). */
const cases: Array<{behaviour: Behaviour; message: RegExp}> = [
	{behaviour: 'missing-fields', message: /lists no debuggable target/},
	{behaviour: 'enormous-list', message: /sent more than \d+ bytes: not a Node inspector/},
	{behaviour: 'http-silent', message: /did not answer within \d+ ms/},
	{behaviour: 'garbage-frames', message: /inspector|not a heap profile|did not answer/},
	{behaviour: 'wrong-profile', message: /not a heap profile|without sizes/},
	{behaviour: 'ws-silent', message: /no profile arrived during the report/},
	// Samples on: the worker's garbage is at most a line on stderr, never a crash.
	{behaviour: 'hostile-workers', message: /^/},
];

describe('hostile and broken inspectors', {concurrency: 3}, () => {
	for (const {behaviour, message} of cases) {
		it(`${behaviour}: one clear line, no crash, no hang`, async () => {
			const fake = await startFakeInspector(behaviour);
			try {
				const started = Date.now();
				const run = await runLeaktop(['--report', '--duration', '3', '--inspect', String(fake.port)], 45_000);
				assert.notEqual(run.signal, 'SIGKILL', 'leaktop ended by itself');
				assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
				assert.ok(!/\n\s+at /.test(run.stderr), `no stack trace: ${run.stderr}`);
				if (run.code === 2) {
					assert.ok(isOneLineError(run.stderr), run.stderr);
					assert.match(run.stderr, message);
				} else {
					assert.ok(run.code === 0 || run.code === 3, `exit code ${run.code}: ${run.stderr}`);
					assert.match(run.stderr, message);
					JSON.parse(run.stdout);
				}
			} finally {
				await fake.close();
			}
		});
	}
});
