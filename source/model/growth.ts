import type {Point} from './history.js';
import {windowBuckets, type BucketOptions} from './window-buckets.js';

export type Growth = {
	/** Slope of the site's lower envelope (Theil–Sen), bytes per minute. */
	readonly bytesPerMinute: number;
	/** Mann–Kendall score of the lower envelope, -1 (always falling) .. 1 (always rising). */
	readonly trend: number;
	readonly suspect: boolean;
};

export type GrowthOptions = {
	/** Sampling interval in bytes: growth of a few samples is indistinguishable from noise. */
	readonly samplingInterval: number;
};

/** What a site shows before its history can say anything. */
export const noGrowth: Growth = {bytesPerMinute: 0, trend: 0, suspect: false};
const minimumPoints = 6;
const minimumSpanMs = 8000;
const sustainedTrend = 0.6;
const heapShareFloor = 0.005;
const samplesFloor = 4;

/** Whether a window holds enough points, over enough time, for growth to say anything. */
export function hasEnoughHistory(points: readonly Point[]): boolean {
	return points.length >= minimumPoints && points.at(-1)!.time - points[0]!.time >= minimumSpanMs;
}

/** Median of the pairwise slopes and the Mann–Kendall score of (time, value) pairs. */
export function theilSen(times: ArrayLike<number>, values: ArrayLike<number>, scratch?: Float64Array): {slope: number; trend: number} {
	const pairs = (times.length * (times.length - 1)) / 2;
	const slopes = scratch !== undefined && scratch.length >= pairs ? scratch : new Float64Array(pairs);
	let count = 0;
	let concordant = 0;
	let discordant = 0;
	for (let i = 0; i < times.length; i++) {
		for (let j = i + 1; j < times.length; j++) {
			const dt = times[j]! - times[i]!;
			const dv = values[j]! - values[i]!;
			if (dt > 0) {
				slopes[count++] = dv / dt;
			}

			if (dv > 0) {
				concordant++;
			} else if (dv < 0) {
				discordant++;
			}
		}
	}

	if (count === 0) {
		return {slope: 0, trend: 0};
	}

	const sorted = slopes.subarray(0, count).sort();
	const middle = count >> 1;
	const slope = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
	return {slope, trend: (concordant - discordant) / pairs};
}

/**
 * Growth of every site over a window of points. A leak raises a site's floor; a spike (a big allocation
 * released seconds later) raises only a few points. So the window is cut into buckets of a round step of time,
 * each represented by its minimum (the lower envelope), and the envelope's slope is taken with Theil–Sen, which
 * ignores a minority of outliers. A site is a suspect when its envelope rises consistently (Mann–Kendall) and
 * by more than a noise floor relative to the heap and the sampling interval, and still rises in the window's
 * second half.
 */
export function growthBySite(points: readonly Point[], siteCount: number, options: GrowthOptions & BucketOptions): Growth[] {
	const result: Growth[] = Array.from({length: siteCount}, () => noGrowth);
	if (!hasEnoughHistory(points) || siteCount === 0) {
		return result;
	}

	// Buckets of about a poll while history is short: halving six points to three buckets would let a cache
	// filled during the first poll weigh as much as a steady leak.
	const buckets = windowBuckets(points, siteCount, options);
	if (buckets.length < 3) {
		return result;
	}

	let heapSum = 0;
	let heapCount = 0;
	for (const point of points) {
		if (Number.isFinite(point.gauges.heapUsed)) {
			heapSum += point.gauges.heapUsed;
			heapCount++;
		}
	}

	const meanHeap = heapCount === 0 ? points.reduce((sum, point) => sum + point.total, 0) / points.length : heapSum / heapCount;
	const noiseFloor = Math.max(heapShareFloor * meanHeap, samplesFloor * options.samplingInterval);
	const bucketTimes = buckets.map(bucket => bucket.firstTime);
	const values = new Float64Array(buckets.length);
	const scratch = new Float64Array((buckets.length * (buckets.length - 1)) / 2);
	for (let site = 0; site < siteCount; site++) {
		let flat = true;
		for (const [index, bucket] of buckets.entries()) {
			values[index] = bucket.min[site]!;
			flat &&= values[index] === values[0];
		}

		if (flat) {
			continue;
		}

		const {slope, trend} = theilSen(bucketTimes, values, scratch);
		if (slope === 0 && trend === 0) {
			continue;
		}

		const grown = slope * (bucketTimes.at(-1)! - bucketTimes[0]!);
		// A start-up fill (a cache built once) rises early and then stays flat: a leak still rises late.
		const lateRise = values[values.length - 1]! - values[values.length >> 1]!;
		result[site] = {
			bytesPerMinute: slope * 60_000,
			trend,
			suspect: slope > 0 && trend >= sustainedTrend && grown >= noiseFloor && lateRise >= noiseFloor / 3,
		};
	}

	return result;
}
