import type {SiteIdentity} from './identity.js';
import type {Aggregate} from './profile.js';

/** Process-wide memory figures at one moment; NaN where unknown (--no-eval). */
export type Gauges = {
	readonly heapUsed: number;
	readonly heapTotal: number;
	readonly rss: number;
	readonly external: number;
	readonly arrayBuffers: number;
};

/**
 * One moment of history, or several merged once they aged. Per-site arrays are indexed by site id and may be
 * shorter than the site table (sites seen later read as 0). For a raw snapshot mean, floor and peak are the
 * same array.
 */
export type Point = {
	/** Time of the first snapshot merged into this point (ms since the epoch). */
	time: number;
	count: number;
	/** Sampled live bytes in all sites. */
	total: number;
	totalPeak: number;
	gauges: Gauges;
	mean: Float32Array;
	floor: Float32Array;
	peak: Float32Array;
	/** Sampling restarted just before this point (target restarted, sampler stopped by someone else). */
	gap: boolean;
};

type Tier = {
	readonly resolutionMs: number;
	/** How long points stay in this tier before moving to the next. */
	readonly keepMs: number;
	points: Point[];
};

export type HistoryOptions = {
	/** [resolution, how long kept] for each tier; the last tier keeps forever, coarsening to stay under maxLastTierPoints. */
	readonly tiers?: ReadonlyArray<readonly [number, number]>;
	readonly maxLastTierPoints?: number;
};

const minute = 60_000;
const defaultTiers: ReadonlyArray<readonly [number, number]> = [[0, 10 * minute], [10_000, 120 * minute], [minute, Number.POSITIVE_INFINITY]];

function widen(array: Float32Array, length: number): Float32Array {
	if (array.length >= length) {
		return array;
	}

	const wider = new Float32Array(length);
	wider.set(array);
	return wider;
}

/** Folds `from` into `into`, which owns its arrays. */
function merge(into: Point, from: Point, siteCount: number): void {
	into.mean = widen(into.mean, siteCount);
	into.floor = widen(into.floor, siteCount);
	into.peak = widen(into.peak, siteCount);
	const weight = from.count / (into.count + from.count);
	for (let site = 0; site < siteCount; site++) {
		const mean = site < from.mean.length ? from.mean[site]! : 0;
		const floor = site < from.floor.length ? from.floor[site]! : 0;
		const peak = site < from.peak.length ? from.peak[site]! : 0;
		into.mean[site] = into.mean[site]! + ((mean - into.mean[site]!) * weight);
		into.floor[site] = Math.min(into.floor[site]!, floor);
		into.peak[site] = Math.max(into.peak[site]!, peak);
	}

	const gauges = {...into.gauges};
	for (const name of Object.keys(gauges) as Array<keyof Gauges>) {
		gauges[name] = gauges[name] + ((from.gauges[name] - gauges[name]) * weight);
	}

	into.gauges = gauges;
	into.total += (from.total - into.total) * weight;
	into.totalPeak = Math.max(into.totalPeak, from.totalPeak);
	into.count += from.count;
	into.gap ||= from.gap;
}

function ownedCopy(point: Point, siteCount: number): Point {
	const copy = (array: Float32Array) => widen(Float32Array.from(array), siteCount);
	return {...point, mean: copy(point.mean), floor: copy(point.floor), peak: copy(point.peak)};
}

/**
 * A bounded history of per-site live bytes: full resolution for recent minutes, coarser for older data,
 * pruned explicitly on every add, so a session of days stays within a fixed memory budget.
 * Sites are interned: one that vanishes and reappears keeps one history.
 */
export class History {
	readonly sites: SiteIdentity[] = [];
	private readonly ids = new Map<string, number>();
	private readonly tiers: Tier[];
	private readonly maxLastTierPoints: number;
	private pendingGap = false;
	/** Changes on every add: a cheap key for caching what is derived from the history. */
	revision = 0;
	/**
	 * Changes when old points are merged across their tier's resolution (the last tier coarsening): what was
	 * derived from settled points must then be derived again.
	 */
	reshapes = 0;

	constructor(options: HistoryOptions = {}) {
		this.tiers = (options.tiers ?? defaultTiers).map(([resolutionMs, keepMs]) => ({resolutionMs, keepMs, points: []}));
		this.maxLastTierPoints = options.maxLastTierPoints ?? 1440;
	}

	siteId(key: string): number | undefined {
		return this.ids.get(key);
	}

	/** Marks a discontinuity: the next point starts after a break in sampling. */
	markGap(): void {
		this.pendingGap = true;
	}

	add(time: number, aggregate: Aggregate, gauges: Gauges): void {
		const values = new Float32Array(this.sites.length + aggregate.sites.length);
		for (const site of aggregate.sites) {
			let id = this.ids.get(site.key);
			if (id === undefined) {
				id = this.sites.length;
				this.ids.set(site.key, id);
				this.sites.push({key: site.key, functionName: site.functionName, url: site.url, line: site.line, column: site.column, kind: site.kind});
			}

			values[id] = site.liveBytes;
		}

		const trimmed = values.length === this.sites.length ? values : values.slice(0, this.sites.length);
		this.tiers[0]!.points.push({
			time, count: 1, total: aggregate.totalBytes, totalPeak: aggregate.totalBytes, gauges,
			mean: trimmed, floor: trimmed, peak: trimmed, gap: this.pendingGap,
		});
		this.pendingGap = false;
		this.prune(time);
		this.revision++;
	}

	private prune(now: number): void {
		for (let index = 0; index < this.tiers.length - 1; index++) {
			const tier = this.tiers[index]!;
			const next = this.tiers[index + 1]!;
			while (tier.points.length > 0 && tier.points[0]!.time < now - tier.keepMs) {
				this.demote(tier.points.shift()!, next);
			}
		}

		const last = this.tiers.at(-1)!;
		if (last.points.length > this.maxLastTierPoints) {
			const coarser: Point[] = [];
			for (let index = 0; index < last.points.length; index += 2) {
				const point = last.points[index]!;
				const partner = last.points[index + 1];
				if (partner !== undefined) {
					merge(point, partner, this.sites.length);
				}

				coarser.push(point);
			}

			last.points = coarser;
			this.reshapes++;

		}
	}

	private demote(point: Point, tier: Tier): void {
		const newest = tier.points.at(-1);
		const bucket = (time: number) => Math.floor(time / tier.resolutionMs);
		if (newest !== undefined && bucket(newest.time) === bucket(point.time)) {
			merge(newest, point, this.sites.length);
		} else {
			tier.points.push(ownedCopy(point, this.sites.length));
		}
	}

	/**
	 * The coarsest resolution of the points from `since` on: points are only ever merged within a slot of their
	 * tier's resolution (until the last tier coarsens), so a grid of that step or a multiple stays true to them.
	 */
	resolutionSince(since: number): number {
		let resolution = 0;
		for (const tier of this.tiers) {
			if (tier.points.length > 0 && tier.points.at(-1)!.time >= since) {
				resolution = Math.max(resolution, tier.resolutionMs);
			}
		}

		return resolution;
	}

	/** Points from `since` (ms since the epoch) on, oldest first. */
	points(since = Number.NEGATIVE_INFINITY): Point[] {
		const result: Point[] = [];
		for (let index = this.tiers.length - 1; index >= 0; index--) {
			for (const point of this.tiers[index]!.points) {
				if (point.time >= since) {
					result.push(point);
				}
			}
		}

		return result;
	}

	get latest(): Point | undefined {
		for (const tier of this.tiers) {
			const point = tier.points.at(-1);
			if (point !== undefined) {
				return point;
			}
		}

		return undefined;
	}

	get first(): Point | undefined {
		for (let index = this.tiers.length - 1; index >= 0; index--) {
			const point = this.tiers[index]!.points[0];
			if (point !== undefined) {
				return point;
			}
		}

		return undefined;
	}

	get size(): number {
		return this.tiers.reduce((sum, tier) => sum + tier.points.length, 0);
	}
}

/** One site's values across points (0 where the site was not yet known). */
export function siteSeries(points: readonly Point[], id: number, field: 'mean' | 'floor' | 'peak' = 'mean'): number[] {
	return points.map(point => (id < point[field].length ? point[field][id]! : 0));
}
