import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {growthBySite, theilSen} from '../source/growth.js';
import {aggregateProfile} from '../source/profile.js';
import {rankSites} from '../source/ranking.js';
import {History} from '../source/series.js';
import {loadTrace} from './helpers.js';

function historyOf(name: string) {
	const trace = loadTrace(name);
	const history = new History();
	let latest = aggregateProfile(trace.snapshots[0]!.profile);
	for (const {time, heap, profile} of trace.snapshots) {
		latest = aggregateProfile(profile);
		history.add(time, latest, {heapUsed: heap.usedSize, heapTotal: heap.totalSize, rss: Number.NaN, external: Number.NaN, arrayBuffers: Number.NaN});
	}

	return {history, latest, rows: rankSites(history, latest, history.points(), 'leak', trace.samplingInterval)};
}

describe('theilSen', () => {
	it('finds the slope of a line despite a minority of outliers', () => {
		const times = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
		const values = times.map(time => 10 + (2 * time));
		values[4] = 500;
		values[7] = -300;
		const {slope, trend} = theilSen(times, values);
		assert.equal(slope, 2);
		assert.ok(trend > 0.5);
	});

	it('gives no slope and no trend for a flat series', () => {
		assert.deepEqual(theilSen([0, 1, 2, 3], [5, 5, 5, 5]), {slope: 0, trend: 0});
	});
});

describe('growth on traces recorded from real programs', () => {
	it('ranks a small steady leak first and as the only kind of suspect beside a large flat cache', () => {
		const {rows} = historyOf('trace-memo');
		const suspects = rows.filter(row => row.suspect);
		assert.ok(suspects.length > 0, 'the memo leak is a suspect');
		assert.ok(suspects.every(row => row.functionName !== 'fillCache'), 'the flat cache is not');
		const cache = rows.find(row => row.functionName === 'fillCache')!;
		assert.ok(cache.liveBytes > 15e6, 'the cache is large');
		assert.ok(rows.indexOf(cache) > rows.indexOf(rows.find(row => !row.suspect)!) - 1, 'the cache ranks below every suspect');
		assert.equal(rows[0]!.suspect, true);
		assert.ok(rows[0]!.growthPerMinute > 1e6, `leak grows ${rows[0]!.growthPerMinute} B/min`);
		assert.ok(Math.abs(cache.growthPerMinute) < rows[0]!.growthPerMinute / 10);
	});

	it('raises no suspect on a program that only churns', () => {
		const {rows} = historyOf('trace-churn');
		assert.deepEqual(rows.filter(row => row.suspect).map(row => row.functionName), []);
	});

	it('raises no suspect on a program whose memory spikes and falls back', () => {
		const {history, rows} = historyOf('trace-spikes');
		const peak = Math.max(...history.points().map(point => point.total));
		const floor = Math.min(...history.points().map(point => point.total));
		assert.ok(peak > floor + 10e6, 'the trace holds spikes');
		assert.deepEqual(rows.filter(row => row.suspect).map(row => row.functionName), []);
	});

	it('needs enough history before judging', () => {
		const {history} = historyOf('trace-memo');
		const points = history.points().slice(0, 4);
		assert.ok(growthBySite(points, history.sites.length, {samplingInterval: 131_072}).every(growth => !growth.suspect && growth.bytesPerMinute === 0));
	});
});
