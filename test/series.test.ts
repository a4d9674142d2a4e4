import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {Aggregate, Site} from '../source/model/profile.js';
import {resampleByTime} from '../source/model/resample.js';
import {History, siteSeries, type Point} from '../source/model/history.js';

const gauges = {heapUsed: 1, heapTotal: 2, rss: Number.NaN, external: Number.NaN, arrayBuffers: Number.NaN};

function site(name: string, liveBytes: number): Site {
	return {key: name, functionName: name, url: '/x.js', line: 1, column: 1, kind: 'user', liveBytes, samples: 1};
}

function aggregate(sites: Site[]): Aggregate {
	return {sites, totalBytes: sites.reduce((sum, entry) => sum + entry.liveBytes, 0), totalSamples: sites.length, maxOrdinal: 0, nodeCount: sites.length};
}

describe('History', () => {
	it('keeps one history for a site that vanishes and comes back', () => {
		const history = new History();
		history.add(0, aggregate([site('a', 10), site('b', 5)]), gauges);
		history.add(1000, aggregate([site('b', 6)]), gauges);
		history.add(2000, aggregate([site('a', 30), site('c', 1)]), gauges);
		assert.equal(history.sites.length, 3);
		assert.deepEqual(siteSeries(history.points(), history.siteId('a')!), [10, 0, 30]);
		assert.deepEqual(siteSeries(history.points(), history.siteId('c')!), [0, 0, 1]);
	});

	it('downsamples aged points, keeping mean, floor and peak', () => {
		const history = new History({tiers: [[0, 10_000], [5000, Number.POSITIVE_INFINITY]]});
		for (let second = 0; second <= 30; second++) {
			history.add(second * 1000, aggregate([site('a', second % 5 === 0 ? 100 : 10)]), gauges);
		}

		const points = history.points();
		const old = points.filter(point => point.count > 1);
		assert.ok(old.length >= 3);
		const first = old[0]!;
		assert.equal(first.count, 5);
		assert.equal(first.peak[0], 100);
		assert.equal(first.floor[0], 10);
		assert.ok(Math.abs(first.mean[0]! - 28) < 1e-3);
		assert.deepEqual(points.map(point => point.time), points.map(point => point.time).sort((a, b) => a - b));
		assert.equal(points.reduce((sum, point) => sum + point.count, 0), 31);
	});

	it('stays bounded forever by coarsening its last tier', () => {
		const history = new History({tiers: [[0, 1000], [1000, Number.POSITIVE_INFINITY]], maxLastTierPoints: 16});
		for (let second = 0; second < 5000; second++) {
			history.add(second * 1000, aggregate([site(`s${second % 7}`, second)]), gauges);
		}

		assert.ok(history.size <= 16 + 2, `holds ${history.size} points`);
		assert.equal(history.points().reduce((sum, point) => sum + point.count, 0), 5000);
		assert.equal(history.first!.time, 0);
	});

	it('marks a gap on the point after a break', () => {
		const history = new History();
		history.add(0, aggregate([site('a', 1)]), gauges);
		history.markGap();
		history.add(1000, aggregate([site('a', 1)]), gauges);
		assert.deepEqual(history.points().map(point => point.gap), [false, true]);
	});
});

describe('resampleByTime', () => {
	it('cuts the window into equal slices of time, not of points, on a tiered history', () => {
		// An hour: its first 50 minutes aged into 10-minute points, the last 10 minutes at one point a second.
		const history = new History({tiers: [[0, 600_000], [600_000, Number.POSITIVE_INFINITY]]});
		for (let second = 0; second < 3600; second++) {
			history.add(second * 1000, aggregate([site('a', second < 1800 ? 100 : 300)]), gauges);
		}

		const points = history.points();
		assert.ok(points.length > 600, `${points.length} points`);
		const values = resampleByTime(points, 6, point => point.mean[0]!);
		assert.deepEqual(values, [100, 100, 100, 300, 300, 300], 'each sixth of the hour is a sixth of the line');
	});

	it('repeats the slice before where a slice of time holds no point, and draws fewer columns than points', () => {
		const history = new History();
		for (const [time, bytes] of [[0, 10], [1000, 20], [9000, 90], [10_000, 100]] as const) {
			history.add(time, aggregate([site('a', bytes)]), gauges);
		}

		assert.deepEqual(resampleByTime(history.points(), 4, point => point.mean[0]!), [15, 15, 15, 95]);
		assert.deepEqual(resampleByTime(history.points(), 40, point => point.mean[0]!).length, 4);
		assert.deepEqual(resampleByTime<Point>([], 40, point => point.total), []);
	});

	it('reads at most the given number of points in a slice, spread evenly', () => {
		const history = new History();
		for (let second = 0; second < 100; second++) {
			history.add(second * 1000, aggregate([site('a', second)]), gauges);
		}

		let reads = 0;
		const values = resampleByTime(history.points(), 2, point => {
			reads++;
			return point.mean[0]!;
		}, 4);
		assert.equal(reads, 8);
		assert.deepEqual(values, [(0 + 12 + 25 + 37) / 4, (50 + 62 + 75 + 87) / 4]);
	});
});
