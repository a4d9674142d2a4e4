import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {Report} from '../source/sinks/report.js';
import {runLeaktop, target} from './run-leaktop.js';

describe('percentile comparison on a real program with brief spikes', {concurrency: 2}, () => {
	for (const metric of ['retained', 'allocated'] as const) {
		it(`puts the spiking function first at p90 within 22 s, measuring ${metric} bytes`, async () => {
			// Polls at about 1 Hz (the test is of the comparison, not of the governor), so each 1.5 s block is seen.
			const run = await runLeaktop(['--report', '--duration', '22', '--max-overhead', '2', '--percentile', '90', '--metric', metric, '--', process.execPath, target('spikes')]);
			assert.equal(run.code, 0, run.stderr);
			const report = JSON.parse(run.stdout) as Report;
			const {comparison} = report;
			assert.equal(comparison.percentile, 90);
			assert.equal(comparison.metric, metric);
			assert.ok(comparison.topSnapshots >= 1 && comparison.topSnapshots < report.snapshots, `${comparison.topSnapshots} of ${report.snapshots}`);
			assert.ok(comparison.thresholdBytes > 0);
			const [top] = comparison.sites;
			assert.equal(top!.functionName, 'buildBigReport', JSON.stringify(comparison.sites.slice(0, 3)));
			assert.ok(top!.deltaBytes > 1e6 && top!.meanBytesTop > top!.meanBytes);
			const deltas = comparison.sites.map(site => site.deltaBytes);
			assert.deepEqual(deltas, [...deltas].sort((a, b) => b - a));
			assert.deepEqual(report.sites.filter(site => site.suspect).map(site => site.functionName), [], 'spikes raise no leak alarm');
		});
	}
});
