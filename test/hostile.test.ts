import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {startFakeInspector, type Behaviour} from './fake-inspector.js';
import {isOneLineError, runLeaktop} from './run-leaktop.js';

/**
 * Each broken inspector, what leaktop must say, and how it ends: 2, it gives up with one line; 3, it sampled nothing
 * and says why; 0, it samples on and reports (a worker's garbage costs it nothing, not even a line).
 */
const cases: Array<{behaviour: Behaviour; code: 0 | 2 | 3; message: RegExp | undefined}> = [
	{behaviour: 'missing-fields', code: 2, message: /^leaktop: the inspector at 127\.0\.0\.1:\d+ lists no debuggable target/},
	{behaviour: 'enormous-list', code: 2, message: /^leaktop: http:\/\/127\.0\.0\.1:\d+\/json\/list sent more than \d+ bytes: not a Node inspector$/},
	{behaviour: 'http-silent', code: 2, message: /^leaktop: http:\/\/127\.0\.0\.1:\d+\/json\/list did not answer within \d+ ms$/},
	{behaviour: 'garbage-frames', code: 2, message: /^leaktop: the inspector sent something that is not the DevTools protocol: /},
	{behaviour: 'wrong-profile', code: 2, message: /^leaktop: the inspector answered getSamplingProfile with something that is not a heap profile$/},
	{behaviour: 'ws-silent', code: 3, message: /^leaktop: no profile arrived during the report/},
	{behaviour: 'hostile-workers', code: 0, message: undefined},
];

describe('hostile and broken inspectors', {concurrency: 3}, () => {
	for (const {behaviour, code, message} of cases) {
		it(`${behaviour}: ${message === undefined ? 'samples on, silently' : 'one clear line'}, no crash, no hang`, async () => {
			const fake = await startFakeInspector(behaviour);
			try {
				const started = Date.now();
				const run = await runLeaktop(['--report', '--duration', '3', '--inspect', String(fake.port)], 45_000);
				assert.notEqual(run.signal, 'SIGKILL', 'leaktop ended by itself');
				// The longest is ws-silent's: 3 s of probing, the 3 s report, 20 s for a poll that never answers, 2 s to stop.
				assert.ok(Date.now() - started < 40_000, `took ${Date.now() - started} ms`);
				assert.equal(run.code, code, run.stderr);
				if (message === undefined) {
					assert.equal(run.stderr, '');
					const report = JSON.parse(run.stdout) as {snapshots: number; targets: Array<{kind: string; snapshots: number}>};
					assert.ok(report.snapshots >= 1, 'the main thread was sampled');
					// Of the five workers announced, only the one with a worker id is one; its garbage profiles count for nothing.
					assert.deepEqual(report.targets.map(({kind, snapshots}) => ({kind, sampled: snapshots > 0})), [{kind: 'process', sampled: true}, {kind: 'worker', sampled: false}]);
				} else {
					assert.ok(isOneLineError(run.stderr), run.stderr);
					assert.match(run.stderr.trimEnd(), message);
				}
			} finally {
				await fake.close();
			}
		});
	}
});
