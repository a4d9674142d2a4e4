import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {comparePoints} from '../source/model/compare.js';
import {growthBySite, theilSen} from '../source/model/growth.js';
import {aggregateProfile, type Site} from '../source/model/profile.js';
import {judgeSites, rankSites} from '../source/model/ranking.js';
import {History} from '../source/model/history.js';
import {BucketCache, bucketStep} from '../source/model/window-buckets.js';
import {loadTrace} from './helpers.js';

function historyOf(name: string) {
	const trace = loadTrace(name);
	const history = new History();
	let latest = aggregateProfile(trace.snapshots[0]!.profile);
	for (const {time, heap, profile} of trace.snapshots) {
		latest = aggregateProfile(profile);
		history.add(time, latest, {heapUsed: heap.usedSize, heapTotal: heap.totalSize, rss: Number.NaN, external: Number.NaN, arrayBuffers: Number.NaN});
	}

	return {history, latest, rows: rankSites(history, latest, history.points(), 'leak', trace.samplingInterval, judgeSites(history, latest, trace.samplingInterval, true))};
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
		const lastSuspect = Math.max(...rows.map((row, index) => (row.suspect ? index : -1)));
		assert.ok(rows.indexOf(cache) > lastSuspect, `the cache (#${rows.indexOf(cache) + 1}) ranks below every suspect (the last #${lastSuspect + 1})`);
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

describe('the window bucket cache', () => {
	it('gives the growth and comparison a full pass gives, as a history grows, ages, coarsens and meets new sites', () => {
		const history = new History({tiers: [[0, 120_000], [10_000, 1_200_000], [60_000, Number.POSITIVE_INFINITY]], maxLastTierPoints: 40});
		const cache = new BucketCache();
		const noGauges = {heapUsed: 50e6, heapTotal: 60e6, rss: Number.NaN, external: Number.NaN, arrayBuffers: Number.NaN};
		const windows = [60_000, 600_000, Number.POSITIVE_INFINITY];
		let compared = 0;
		let suspects = 0;
		for (let second = 0; second < 4 * 3600; second += 3) {
			// A leak, a sawtooth, a spike now and then, and a new site every ten minutes.
			const sites: Site[] = [
				{key: 'leak', functionName: 'leak', url: '/a.js', line: 1, column: 1, kind: 'user', liveBytes: 1e6 + (second * 500), samples: 1},
				{key: 'saw', functionName: 'saw', url: '/a.js', line: 2, column: 1, kind: 'user', liveBytes: (second % 300) * 1e4, samples: 1},
				{key: 'spike', functionName: 'spike', url: '/a.js', line: 3, column: 1, kind: 'user', liveBytes: second % 97 === 0 ? 9e7 : 1e5, samples: 1},
				{key: `late${Math.floor(second / 600)}`, functionName: 'late', url: '/b.js', line: second, column: 1, kind: 'user', liveBytes: 2e5 + second, samples: 1},
			];
			history.add(second * 1000, {sites, totalBytes: 0, totalSamples: 4, maxOrdinal: 0, nodeCount: 4}, noGauges);
			if (second % 21 !== 0) {
				continue;
			}

			cache.sync(history.reshapes);
			for (const window of windows) {
				const since = (second * 1000) - window;
				const points = history.points(since);
				const options = {samplingInterval: 131_072, resolution: history.resolutionSince(points[0]!.time)};
				const cached = growthBySite(points, history.sites.length, {...options, cache});
				assert.deepEqual(cached, growthBySite(points, history.sites.length, options), `at ${second} s, window ${window}`);
				// Sums of aged points' means differ from sums of what they merged by float rounding only.
				const fresh = comparePoints(points, history.sites, 90, 'delta', options).rows;
				for (const row of comparePoints(points, history.sites, 90, 'delta', {...options, cache}).rows) {
					const same = fresh.find(entry => entry.id === row.id)!;
					assert.ok(Math.abs(row.meanBytes - same.meanBytes) <= 1e-5 * same.meanBytes, `${row.functionName} at ${second} s: ${row.meanBytes} ≠ ${same.meanBytes}`);
					assert.equal(row.meanBytesTop, same.meanBytesTop);
				}

				compared++;
				suspects += cached.filter(growth => growth.suspect).length;
			}
		}

		assert.ok(history.reshapes > 0, 'the last tier coarsened');
		assert.ok(compared > 1500 && suspects > 0, `${compared} comparisons, ${suspects} suspects`);
	});

	it('steps in round units, 8 to 12 buckets a window, never splitting an aged point', () => {
		assert.equal(bucketStep(10_000, 0), 1000);
		assert.equal(bucketStep(300_000, 0), 30_000);
		assert.equal(bucketStep(3_600_000, 10_000), 300_000);
		assert.equal(bucketStep(24 * 3_600_000, 60_000), 2 * 3_600_000);
		assert.equal(bucketStep(700_000, 10_000), 60_000);
		assert.equal(bucketStep(130_000, 10_000), 20_000);
		for (let span = 10_000; span < 200 * 3_600_000; span *= 1.07) {
			const buckets = span / bucketStep(span, 0);
			assert.ok(buckets >= 8 && buckets <= 12, `${buckets} buckets over ${span} ms`);
		}
	});
});
