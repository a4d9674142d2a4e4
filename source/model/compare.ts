import type {SiteIdentity} from './identity.js';
import type {Point} from './history.js';
import {windowBuckets, type BucketOptions} from './window-buckets.js';

/** The percentiles `+` and `-` step through. */
export const percentiles: readonly number[] = [50, 75, 90, 95, 99, 99.9];
export const defaultPercentile = 99;

export type CompareSortKey = 'delta' | 'ratio' | 'heavy';
export const compareSortKeys: readonly CompareSortKey[] = ['delta', 'ratio', 'heavy'];
export const compareSortLabels: Record<CompareSortKey, string> = {delta: 'delta', ratio: 'ratio', heavy: 'heavy mean'};

/** Which snapshots are "heavy": the heaviest ones, as many as the P-th percentile of weight takes. */
export type HeavySelection = {
	/** Indexes of the heavy snapshots, in time order. */
	readonly indexes: readonly number[];
	/** The lightest heavy weight. */
	readonly threshold: number;
	/** True when the window holds too few snapshots for the percentile, so only the heaviest one is taken. */
	readonly tooFew: boolean;
};

/**
 * Selects the heaviest ⌈n·(100−P)/100⌉ snapshots (nearest rank). Exactly that many: a program at rest keeps the
 * same sampled bytes poll after poll, and counting every tie with the threshold as heavy would turn "top 2 of 19"
 * into "top 19 of 19". Among equal weights the later snapshot is taken. With fewer snapshots than the percentile
 * needs, the heaviest one is taken.
 */
export function heavySnapshots(weights: readonly number[], percentile: number): HeavySelection {
	if (weights.length === 0) {
		return {indexes: [], threshold: 0, tooFew: true};
	}

	const wanted = weights.length * ((100 - percentile) / 100);
	const count = Math.min(weights.length, Math.max(1, Math.ceil(wanted - 1e-9)));
	const heaviestFirst = weights.map((weight, index) => ({weight, index})).sort((a, b) => (b.weight - a.weight) || (b.index - a.index));
	const heavy = heaviestFirst.slice(0, count);
	return {indexes: heavy.map(({index}) => index).sort((a, b) => a - b), threshold: heavy.at(-1)!.weight, tooFew: wanted < 1};
}

export type ComparisonRow = SiteIdentity & {
	readonly id: number;
	/** Mean bytes over every snapshot of the window. */
	readonly meanBytes: number;
	/** Mean bytes over the heavy snapshots. */
	readonly meanBytesTop: number;
	readonly deltaBytes: number;
	/** meanBytesTop / meanBytes; Infinity for a site seen only in heavy snapshots. */
	readonly ratio: number;
	/** In how many heavy snapshots the site holds anything. */
	readonly heavyCount: number;
};

export type Comparison = {
	readonly percentile: number;
	readonly snapshots: number;
	readonly heavy: HeavySelection;
	readonly rows: readonly ComparisonRow[];
};

const order: Record<CompareSortKey, (a: ComparisonRow, b: ComparisonRow) => number> = {
	delta: (a, b) => b.deltaBytes - a.deltaBytes,
	ratio: (a, b) => (b.ratio - a.ratio) || (b.deltaBytes - a.deltaBytes),
	heavy: (a, b) => b.meanBytesTop - a.meanBytesTop,
};

/**
 * Cloud Profiler's "all weight vs. the top P percentile", over a window of points: each snapshot weighs its
 * sampled bytes; for every site, its mean in the heavy snapshots against its mean over all of them. Sites
 * that hold nothing in either are left out. The mean over all counts every snapshot, aged points standing for
 * the several they merged (read from the window's buckets, so a day of history is not summed anew on each
 * snapshot); an aged point is a mean, and as a candidate for heavy it weighs as one.
 */
export function comparePoints(
	points: readonly Point[], sites: readonly SiteIdentity[], percentile: number, sort: CompareSortKey = 'delta', buckets: BucketOptions = {},
): Comparison {
	const heavy = heavySnapshots(points.map(point => point.total), percentile);
	const sums = new Float64Array(sites.length);
	let snapshots = 0;
	for (const bucket of windowBuckets(points, sites.length, buckets)) {
		const {sum} = bucket;
		for (let site = 0; site < sites.length; site++) {
			sums[site] += sum[site]!;
		}

		snapshots += bucket.snapshots;
	}

	const topSums = new Float64Array(sites.length);
	const topCounts = new Uint32Array(sites.length);
	for (const index of heavy.indexes) {
		const {mean} = points[index]!;
		const length = Math.min(mean.length, sites.length);
		for (let site = 0; site < length; site++) {
			const value = mean[site]!;
			topSums[site] += value;
			if (value > 0) {
				topCounts[site]++;
			}
		}
	}

	const rows: ComparisonRow[] = [];
	const heavyCount = Math.max(1, heavy.indexes.length);
	for (const [id, site] of sites.entries()) {
		const meanBytes = snapshots === 0 ? 0 : sums[id]! / snapshots;
		const meanBytesTop = topSums[id]! / heavyCount;
		if (meanBytes <= 0 && meanBytesTop <= 0) {
			continue;
		}

		// Spelled out rather than spread: see siteRow in ranking.ts.
		rows.push({
			key: site.key, functionName: site.functionName, url: site.url, line: site.line, column: site.column, kind: site.kind,
			id, meanBytes, meanBytesTop, deltaBytes: meanBytesTop - meanBytes,
			ratio: meanBytes > 0 ? meanBytesTop / meanBytes : Number.POSITIVE_INFINITY, heavyCount: topCounts[id]!,
		});
	}

	return {percentile, snapshots: points.length, heavy, rows: rows.sort(order[sort])};
}

/** "top 2 of 37 (p95)", or, with too few snapshots, "top 1 of 37: too few for p99.9, the heaviest one". */
export function describeHeavy(comparison: Comparison): string {
	const {heavy, snapshots, percentile} = comparison;
	const top = `top ${heavy.indexes.length} of ${snapshots}`;
	return heavy.tooFew && snapshots > 0 ? `${top}: too few for p${percentile}, the heaviest one` : `${top} (p${percentile})`;
}
