import {comparePoints, type Comparison, type CompareSortKey} from './compare.js';
import type {Point} from './history.js';
import {judgedSites, judgementOf} from './judged.js';
import {siteKey, type SiteIdentity} from './identity.js';
import type {SiteRow} from './ranking.js';
import {activeHistory, type TargetState} from './target.js';

/** What a site needs to be merged across targets: the same function at the same place is the same site. */
type Mergeable = Pick<SiteIdentity, 'functionName' | 'url' | 'line' | 'column'> & {readonly liveBytes: number; readonly suspect: boolean};

/** One site across every target that holds it. */
export type Merged<Row> = {
	readonly key: string;
	/** The part that speaks for the site: a leaking one, else the one that holds most. */
	readonly lead: Row;
	readonly parts: ReadonlyArray<{readonly targetId: string; readonly row: Row}>;
	readonly liveBytes: number;
	/** Leaking in any target. */
	readonly suspect: boolean;
	/** In how many targets it is leaking. */
	readonly leakingIn: number;
};

/**
 * Merges the sites of several targets (a process and its workers, a cluster, several pods): live bytes summed,
 * the verdict kept per target, a site leaking wherever any target has it leaking. Leaking sites first, then by
 * live bytes.
 */
export function mergeAcross<Row extends Mergeable>(targets: ReadonlyArray<{readonly targetId: string; readonly rows: readonly Row[]}>): Array<Merged<Row>> {
	const byKey = new Map<string, Array<{targetId: string; row: Row}>>();
	for (const {targetId, rows} of targets) {
		for (const row of rows) {
			const key = siteKey(row);
			const parts = byKey.get(key) ?? [];
			parts.push({targetId, row});
			byKey.set(key, parts);
		}
	}

	return [...byKey.entries()].map(([key, parts]) => {
		const leaking = parts.filter(part => part.row.suspect);
		const heaviest = parts.reduce((best, part) => (part.row.liveBytes > best.row.liveBytes ? part : best));
		return {
			key,
			lead: (leaking.find(part => part === heaviest) ?? leaking[0] ?? heaviest).row,
			parts: [...parts].sort((a, b) => b.row.liveBytes - a.row.liveBytes),
			liveBytes: parts.reduce((total, part) => total + part.row.liveBytes, 0),
			suspect: leaking.length > 0,
			leakingIn: leaking.length,
		};
	}).sort((a, b) => Number(b.suspect) - Number(a.suspect) || b.liveBytes - a.liveBytes);
}

const rankedAt = new WeakMap<object, SiteRow[]>();

/** A target's judged sites, ranked once per judgement (a profile, or a break since): the all-targets view reads every target's. */
function judgedOnce(target: TargetState): SiteRow[] {
	if (target.latest === undefined) {
		return [];
	}

	const judgement = judgementOf(target);
	let rows = rankedAt.get(judgement);
	if (rows === undefined) {
		rows = target.metric === 'retained' ? judgedSites(target, 'leak') : [];
		rankedAt.set(judgement, rows);
	}

	return rows;
}

/** The sites of every target, merged: what the all-targets view shows. */
export function mergedSites(targets: readonly TargetState[]): Array<Merged<SiteRow>> {
	return mergeAcross(targets.map(target => ({targetId: target.info.id, rows: judgedOnce(target)})));
}

/** How many of the target's sites are leaking at its latest profile, for the target bar. */
export function suspectCount(target: TargetState): number {
	return judgedOnce(target).filter(row => row.suspect).length;
}

/**
 * The percentile comparison across every target's snapshots, as Cloud Profiler compares a fleet's instances:
 * each snapshot of each target is one sample, the heaviest P% of them against all, with sites merged by function
 * and place. Over each target's whole retained history.
 */
export function mergedComparison(targets: readonly TargetState[], percentile: number, sort: CompareSortKey): Comparison {
	const ids = new Map<string, number>();
	const sites: SiteIdentity[] = [];
	const histories = targets.filter(target => target.metric === 'retained').map(target => activeHistory(target));
	for (const history of histories) {
		for (const site of history.sites) {
			if (!ids.has(site.key)) {
				ids.set(site.key, sites.length);
				sites.push(site);
			}
		}
	}

	const remap = (values: Float32Array, own: readonly SiteIdentity[]) => {
		const merged = new Float32Array(sites.length);
		for (let site = 0; site < Math.min(values.length, own.length); site++) {
			merged[ids.get(own[site]!.key)!]! += values[site]!;
		}

		return merged;
	};

	const points: Point[] = histories.flatMap(history => history.points().map(point => ({
		...point, mean: remap(point.mean, history.sites), floor: remap(point.floor, history.sites), peak: remap(point.peak, history.sites),
	}))).sort((a, b) => a.time - b.time);
	return comparePoints(points, sites, percentile, sort);
}
