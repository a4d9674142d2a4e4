import type {Point} from './series.js';

export type Growth = {
	/** Slope of the site's lower envelope (Theil–Sen), bytes per minute. */
	readonly bytesPerMinute: number;
	/** Mann–Kendall score of the lower envelope, -1 (always falling) .. 1 (always rising). */
	readonly trend: number;
	readonly suspect: boolean;
};

export type GrowthOptions = {
	/** Envelope buckets across the window. */
	readonly buckets?: number;
	/** Sampling interval in bytes: growth of a few samples is indistinguishable from noise. */
	readonly samplingInterval: number;
};

const noGrowth: Growth = {bytesPerMinute: 0, trend: 0, suspect: false};
const minimumPoints = 6;
const minimumSpanMs = 8000;
const sustainedTrend = 0.6;
const heapShareFloor = 0.005;
const samplesFloor = 4;

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
 * released seconds later) raises only a few points. So the window is cut into equal-time buckets, each
 * represented by its minimum (the lower envelope), and the envelope's slope is taken with Theil–Sen, which
 * ignores a minority of outliers. A site is a suspect when its envelope rises consistently (Mann–Kendall) and
 * by more than a noise floor relative to the heap and the sampling interval, and still rises in the window's
 * second half.
 */
export function growthBySite(points: readonly Point[], siteCount: number, options: GrowthOptions): Growth[] {
	const result: Growth[] = Array.from({length: siteCount}, () => noGrowth);
	if (points.length < minimumPoints || siteCount === 0) {
		return result;
	}

	const first = points[0]!.time;
	const span = points.at(-1)!.time - first;
	if (span < minimumSpanMs) {
		return result;
	}

	// One point per bucket while history is short: halving six points to three buckets would let a cache filled
	// during the first poll weigh as much as a steady leak.
	const bucketCount = Math.min(options.buckets ?? 12, points.length);
	const envelope = new Float64Array(bucketCount * siteCount).fill(Number.POSITIVE_INFINITY);
	const times = new Float64Array(bucketCount).fill(Number.NaN);
	let heapSum = 0;
	let heapCount = 0;
	for (const point of points) {
		const bucket = Math.min(bucketCount - 1, Math.floor(((point.time - first) / span) * bucketCount));
		if (Number.isNaN(times[bucket]!)) {
			times[bucket] = point.time;
		}

		const offset = bucket * siteCount;
		const {floor} = point;
		for (let site = 0; site < siteCount; site++) {
			const value = site < floor.length ? floor[site]! : 0;
			if (value < envelope[offset + site]!) {
				envelope[offset + site] = value;
			}
		}

		if (Number.isFinite(point.gauges.heapUsed)) {
			heapSum += point.gauges.heapUsed;
			heapCount++;
		}
	}

	const filled = [...times.keys()].filter(bucket => !Number.isNaN(times[bucket]!));
	if (filled.length < 3) {
		return result;
	}

	const meanHeap = heapCount === 0 ? points.reduce((sum, point) => sum + point.total, 0) / points.length : heapSum / heapCount;
	const noiseFloor = Math.max(heapShareFloor * meanHeap, samplesFloor * options.samplingInterval);
	const bucketTimes = filled.map(bucket => times[bucket]!);
	const values = new Float64Array(filled.length);
	const scratch = new Float64Array((filled.length * (filled.length - 1)) / 2);
	for (let site = 0; site < siteCount; site++) {
		let flat = true;
		for (const [index, bucket] of filled.entries()) {
			values[index] = envelope[(bucket * siteCount) + site]!;
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
