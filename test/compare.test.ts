import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {comparePoints, describeHeavy, heavySnapshots} from '../source/model/compare.js';
import {aggregateProfile} from '../source/model/profile.js';
import {History} from '../source/model/history.js';
import {PeakProfiles} from '../source/model/peak-profiles.js';
import {loadTrace} from './helpers.js';

const noGauges = {heapUsed: Number.NaN, heapTotal: Number.NaN, rss: Number.NaN, external: Number.NaN, arrayBuffers: Number.NaN};

function historyOf(name: string): History {
	const history = new History();
	for (const {time, profile} of loadTrace(name).snapshots) {
		history.add(time, aggregateProfile(profile), noGauges);
	}

	return history;
}

describe('heavySnapshots', () => {
	it('takes the heaviest ⌈n·(100−p)/100⌉ snapshots, in time order', () => {
		const weights = [10, 50, 20, 40, 30, 60, 70, 80, 90, 100];
		assert.deepEqual(heavySnapshots(weights, 90), {indexes: [9], threshold: 100, tooFew: false});
		assert.deepEqual(heavySnapshots(weights, 75), {indexes: [7, 8, 9], threshold: 80, tooFew: false});
		assert.deepEqual(heavySnapshots(weights, 50).indexes, [5, 6, 7, 8, 9]);
	});

	it('takes exactly that many when weights tie, the later ones first', () => {
		assert.deepEqual(heavySnapshots([5, 9, 9, 1, 9], 75), {indexes: [2, 4], threshold: 9, tooFew: false});
		assert.deepEqual(heavySnapshots([5, 9, 7, 1, 3], 75), {indexes: [1, 2], threshold: 7, tooFew: false});
		const atRest = [...Array.from({length: 18}, () => 1000), 9000];
		assert.deepEqual(heavySnapshots(atRest, 90), {indexes: [17, 18], threshold: 1000, tooFew: false});
	});

	it('takes the heaviest one, and says so, with too few snapshots for the percentile', () => {
		const weights = Array.from({length: 37}, (_, index) => index * 3);
		const selection = heavySnapshots(weights, 99);
		assert.deepEqual(selection, {indexes: [36], threshold: 108, tooFew: true});
		const comparison = {percentile: 99, snapshots: 37, heavy: selection, rows: []};
		assert.equal(describeHeavy(comparison), 'top 1 of 37: too few for p99, the heaviest one');
		assert.equal(heavySnapshots(Array.from({length: 100}, (_, index) => index), 99).tooFew, false);
	});

	it('handles a single snapshot and none', () => {
		assert.deepEqual(heavySnapshots([42], 0), {indexes: [0], threshold: 42, tooFew: false});
		assert.deepEqual(heavySnapshots([42], 50), {indexes: [0], threshold: 42, tooFew: true});
		assert.deepEqual(heavySnapshots([42], 99), {indexes: [0], threshold: 42, tooFew: true});
		assert.deepEqual(heavySnapshots([], 99), {indexes: [], threshold: 0, tooFew: true});
	});
});

describe('comparePoints on a trace recorded from a program with memory spikes', () => {
	const history = historyOf('trace-spikes');
	const points = history.points();

	it('puts the function that spikes first at p90', () => {
		const comparison = comparePoints(points, history.sites, 90);
		assert.equal(comparison.snapshots, points.length);
		const [top] = comparison.rows;
		assert.equal(top!.functionName, 'buildBigReport');
		assert.ok(top!.deltaBytes > 5e6, `delta ${top!.deltaBytes}`);
		assert.ok(top!.meanBytesTop > 2 * top!.meanBytes);
		assert.equal(top!.heavyCount, comparison.heavy.indexes.length);
		const deltas = comparison.rows.map(row => row.deltaBytes);
		assert.deepEqual(deltas, [...deltas].sort((a, b) => b - a), 'sorted by delta');
	});

	it('computes exact means from the points', () => {
		const comparison = comparePoints(points, history.sites, 90);
		const top = comparison.rows[0]!;
		const values = points.map(point => (top.id < point.mean.length ? point.mean[top.id]! : 0));
		const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
		const heavyMean = comparison.heavy.indexes.reduce((sum, index) => sum + values[index]!, 0) / comparison.heavy.indexes.length;
		assert.ok(Math.abs(top.meanBytes - mean) < 1);
		assert.ok(Math.abs(top.meanBytesTop - heavyMean) < 1);
		assert.ok(comparison.heavy.indexes.every(index => points[index]!.total >= comparison.heavy.threshold));
	});

	it('sorts by ratio and by heavy mean on request', () => {
		const byRatio = comparePoints(points, history.sites, 90, 'ratio').rows;
		assert.ok(byRatio.every((row, index) => index === 0 || byRatio[index - 1]!.ratio >= row.ratio));
		const byHeavy = comparePoints(points, history.sites, 90, 'heavy').rows;
		assert.ok(byHeavy.every((row, index) => index === 0 || byHeavy[index - 1]!.meanBytesTop >= row.meanBytesTop));
	});

	it('finds no heavy difference in a program that only churns', () => {
		const churn = historyOf('trace-churn');
		const comparison = comparePoints(churn.points(), churn.sites, 90);
		const total = churn.points().reduce((sum, point) => sum + point.total, 0) / churn.points().length;
		assert.ok(comparison.rows[0]!.deltaBytes < total * 0.5, 'no site dominates the heavy snapshots');
	});
});

describe('comparePoints over an aged history', () => {
	it('counts every snapshot an aged point stands for in the mean over all', () => {
		const history = new History({tiers: [[0, 10_000], [10_000, Number.POSITIVE_INFINITY]]});
		const site = (liveBytes: number) => ({key: 'a', functionName: 'a', url: '/a.js', line: 1, column: 1, kind: 'user' as const, liveBytes, samples: 1});
		// Twenty seconds at 100 bytes age into two points standing for ten snapshots each; then ten at 400.
		for (let second = 0; second < 30; second++) {
			history.add(second * 1000, {sites: [site(second < 20 ? 100 : 400)], totalBytes: 0, totalSamples: 1, maxOrdinal: 0, nodeCount: 1}, noGauges);
		}

		const points = history.points();
		assert.ok(points.length < 30, `${points.length} points`);
		const [row] = comparePoints(points, history.sites, 50).rows;
		assert.equal(row!.meanBytes, ((20 * 100) + (10 * 400)) / 30);
	});
});

describe('PeakProfiles', () => {
	const {snapshots} = loadTrace('trace-spikes');
	const weighed = snapshots.map(({time, profile}) => ({time, weight: aggregateProfile(profile).totalBytes, profile}));

	it('keeps the profile of the heaviest snapshot of every window ending now, on a real trace', () => {
		const peaks = new PeakProfiles();
		for (const [index, snapshot] of weighed.entries()) {
			peaks.add(snapshot, 'retained');
			for (const start of [0, Math.floor(index / 2), Math.max(0, index - 3), index]) {
				const inWindow = weighed.slice(start, index + 1);
				const heaviest = Math.max(...inWindow.map(entry => entry.weight));
				const kept = peaks.heaviestSince(weighed[start]!.time);
				assert.equal(kept?.weight, heaviest, `polls ${start}–${index}`);
				assert.equal(peaks.at(kept.time)?.profile, inWindow.find(entry => entry.weight === heaviest && entry.time === kept.time)?.profile);
			}
		}
	});

	it('keeps at most its limit, the heaviest of all and the newest among them, and starts afresh on a new metric', () => {
		const peaks = new PeakProfiles(3);
		const profile = snapshots[0]!.profile;
		for (const [time, weight] of [[1, 100], [2, 90], [3, 89], [4, 50], [5, 10]] as const) {
			peaks.add({time, weight, profile}, 'retained');
		}

		assert.deepEqual([1, 2, 3, 4, 5].map(time => peaks.at(time)?.weight), [100, undefined, undefined, 50, 10], 'of 90 and 89, 89 stands for both; then 89 gives way to 50, as 10 would stand for 50 worse');
		peaks.add({time: 6, weight: 5, profile}, 'allocated');
		assert.equal(peaks.heaviestSince(0)?.time, 6);
	});
});
