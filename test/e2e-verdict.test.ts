import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {Report} from '../source/sinks/report.js';
import {runLeaktop, target} from './run-leaktop.js';

/** A report at default settings on a spawned target, and its suspects, heaviest growth first. */
async function reportOn(shape: string, seconds: number): Promise<{report: Report; suspects: string[]}> {
	const run = await runLeaktop(['--report', '--duration', String(seconds), '--', process.execPath, target(shape)], (seconds + 90) * 1000);
	assert.equal(run.code, 0, run.stderr);
	const report = JSON.parse(run.stdout) as Report;
	const suspects = report.sites.filter(site => site.suspect).sort((a, b) => b.growthBytesPerMinute - a.growthBytesPerMinute).map(site => site.functionName);
	return {report, suspects};
}

function describeSites(report: Report): string {
	return report.sites.slice(0, 8).map(site => `${site.functionName} ${site.verdict} ${site.liveBytes}`).join('; ');
}

describe('the leak verdict at default settings, from few polls', () => {
	it('names a fast leak (~1 GB/min) the top suspect of a 10 s report, at about its rate', async () => {
		const {report, suspects} = await reportOn('fast-leak', 10);
		assert.equal(suspects[0], 'leakFast', describeSites(report));
		const leak = report.sites.find(site => site.functionName === 'leakFast')!;
		assert.equal(leak.verdict, 'leaking');
		assert.ok(leak.growthBytesPerMinute > 300e6, `${leak.growthBytesPerMinute} B/min`);
		assert.equal(leak.ageBands.length, 10);
		assert.ok(leak.ageBands.filter(band => band.bytes > 0).length >= 7, 'survivors from every period');
	});

	it('names a slow leak beside a 450 MB cache warming up for 25 s the top suspect of a 60 s report; the cache is one-time', async () => {
		const {report, suspects} = await reportOn('slow-leak-warm-cache', 60);
		assert.deepEqual(suspects, ['leakSlowly'], describeSites(report));
		const cache = report.sites.find(site => site.functionName === 'warmCache')!;
		assert.equal(cache.verdict, 'one-time');
		assert.equal(cache.growthBytesPerMinute, 0, 'a step is not growth');
		assert.ok(report.heap!.usedBytes > 400e6, `${report.heap!.usedBytes} bytes used`);
	});

	it('flags no suspect among an LRU cache, TTL sessions, a one-time cache, a spike and churn in a 30 s report', async () => {
		const {report, suspects} = await reportOn('shapes', 30);
		assert.deepEqual(suspects, [], describeSites(report));
		const verdict = (name: string) => report.sites.find(site => site.functionName === name)?.verdict;
		assert.equal(verdict('buildCatalogOnce'), 'one-time');
		assert.equal(verdict('openSessions'), 'bounded');
		assert.ok(['bounded', 'transient'].includes(verdict('cacheRecent')!), `LRU: ${verdict('cacheRecent')}`);
	});
});
