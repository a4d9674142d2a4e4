import type {CallPathLeak} from './analyses/call-tree-age.js';
import {ageBandCount, survivorAge, type AgeVerdict, type SurvivorAge} from './analyses/survivor-age.js';
import {growthBySite, hasEnoughHistory, noGrowth, type Growth} from './growth.js';
import {userFrameOf} from './call-paths.js';
import type {SiteIdentity} from './identity.js';
import type {AgeBins, Aggregate, SamplingProfile, Site} from './profile.js';
import {resampleByTime} from './resample.js';
import type {History, Point} from './history.js';
import {BucketCache, type BucketOptions} from './window-buckets.js';

export type SortKey = 'leak' | 'live' | 'growth' | 'samples' | 'baseline';

/** The sorts `s` cycles through; `baseline` only while a baseline is set. */
export const sortKeys: readonly SortKey[] = ['leak', 'live', 'growth', 'samples', 'baseline'];

export const sortLabels: Record<SortKey, string> = {
	leak: 'suspects',
	live: 'live bytes',
	growth: 'growth',
	samples: 'samples',
	baseline: 'since baseline',
};

/** Every site's live bytes at a moment the user marked, indexed by history site id (DevTools' snapshot comparison). */
export type Baseline = {readonly time: number; readonly bytes: Float32Array};

export type JudgeOptions = {
	/** False: verdicts from the window's growth alone, as before survivor age (the bench compares the two). */
	readonly survivorAge?: boolean;
	/**
	 * The latest profile and its aggregate grouped by user frame: a builtin with too few samples of its own (a
	 * Map's backing store is one large object, reallocated as it grows) is judged with its user frame's survivors.
	 */
	readonly userFrames?: {readonly profile: SamplingProfile; readonly grouped: Aggregate};
	/** Sites whose survivors, watched across profiles, kept surviving while new ones came: leaks that began late. */
	readonly lateLeaks?: ReadonlySet<string>;
};

export type RankOptions = {
	readonly baseline?: Baseline;
};

export type SiteRow = SiteIdentity & {
	readonly id: number;
	readonly liveBytes: number;
	readonly samples: number;
	/** Share of all sampled live bytes, 0..1. */
	readonly share: number;
	readonly growthPerMinute: number;
	/** Live bytes now minus at the baseline; undefined without one. */
	readonly sinceBaseline: number | undefined;
} & Judgement;

/**
 * A site's verdict, judged once per profile by the model (judged.ts) and read by every view and sink. `history`:
 * growth of the polls' history; `age`: the survivors' age in the latest profile; `late`: survivors watched across
 * profiles (a leak that began late); `call-path`: the survivors of a leak V8 moved between a callee and its caller.
 */
export type Judgement = {
	readonly growthPerMinute: number;
	readonly growthBasis: 'history' | 'age' | 'late' | 'call-path';
	/** From survivor age when the site has samples enough, else from the growth of its history. */
	readonly verdict: AgeVerdict;
	/** Ranked and shown as a leak (▲): leaking by its own survivors, or named by a leak found on the call tree. */
	readonly suspect: boolean;
	readonly age: SurvivorAge | undefined;
	/** The frame of the user's code that answers for a suspect: the site itself, the caller of a builtin, the callee of a Node internal. */
	readonly frame?: SiteIdentity | undefined;
	/** The leak that moved, when this site names one: its survivors joined with where V8 moved its allocations. */
	readonly leak?: CallPathLeak | undefined;
	/** The leak named by another site whose allocations V8 moved into this one. */
	readonly partOf?: CallPathLeak | undefined;
};

/**
 * A sample alive reads (size × V8's scaled count) about the sampling interval for a small object, jittering
 * above it as objects near the interval; above this share of the interval it is one larger object.
 */
const smallObjectReading = 1.25;

/**
 * Growth that a thin site's survivors do not show is turnover, not retention: every survivor allocated in the
 * newest band, all of them small objects, though the site has held bytes since before that band began. V8 moved a
 * callee's churn into this frame (its history rises from nothing and its objects keep dying young). Not turnover:
 * a site that began holding within the newest band (a leak as young as its survivors), nor one holding a larger
 * object (a collection's backing store, reallocated as it grows, always young).
 */
function turnover(site: Site, age: SurvivorAge, heldSince: () => number, samplingInterval: number): boolean {
	return age.samples > 0
		&& age.bands.slice(0, -1).every(bytes => bytes === 0)
		&& (site.largestSurvivor ?? Number.POSITIVE_INFINITY) < smallObjectReading * samplingInterval
		&& heldSince() < age.edges[ageBandCount - 1]!;
}

/** When the site first held bytes in these points (the newest point's time when it never did). */
function firstHeld(points: readonly Point[], id: number): number {
	return points.find(point => (point.mean[id] ?? 0) > 0)?.time ?? points.at(-1)?.time ?? 0;
}

/**
 * One verdict from the two witnesses. Survivor age speaks first whenever the site has samples enough: it needs
 * one profile, where growth needs six polls, and it tells a step (a cache filled once) from a leak, which a
 * short window cannot. The growth figure then agrees with it: a leaking site shows the window's growth (or, while
 * the history is short, its retention rate); any other shows none, since a step or a bounded cache is not growth.
 */
function judge(growth: Growth, enoughHistory: boolean, age: SurvivorAge | undefined): Judgement {
	if (age === undefined || age.verdict === 'unknown') {
		return {growthPerMinute: growth.bytesPerMinute, growthBasis: 'history', verdict: growth.suspect ? 'leaking' : 'unknown', suspect: growth.suspect, age};
	}

	if (age.verdict !== 'leaking') {
		return {growthPerMinute: 0, growthBasis: 'age', verdict: age.verdict, suspect: false, age};
	}

	const fromHistory = enoughHistory && growth.bytesPerMinute > 0;
	return {growthPerMinute: fromHistory ? growth.bytesPerMinute : age.retentionPerMinute, growthBasis: fromHistory ? 'history' : 'age', verdict: 'leaking', suspect: true, age};
}

function ownAge(site: Site, bins: AgeBins | undefined): SurvivorAge | undefined {
	return bins === undefined || site.ageBytes === undefined || site.ageSamples === undefined
		? undefined
		: survivorAge(site.ageBytes, site.ageSamples, site.recentBytes ?? [], bins);
}

/** Survivor age for a site: its own, or, for a V8 builtin too thin to judge (a backing store), its user frame's. */
function ageOf(site: Site, bins: AgeBins | undefined, userFrames: JudgeOptions['userFrames'], grouped: ReadonlyMap<string, Site> | undefined): SurvivorAge | undefined {
	const own = ownAge(site, bins);
	// What marks a collection's backing store: a few samples, all recent (it was just reallocated to grow). Old
	// samples of a builtin are old objects, judged as they are.
	const recentOnly = site.ageSamples?.slice(0, -2).every(count => count === 0) === true;
	if (own?.verdict !== 'unknown' || !recentOnly || site.kind !== 'builtin' || userFrames === undefined || grouped === undefined) {
		return own;
	}

	const frame = userFrameOf(userFrames.profile, site);
	const group = frame === undefined ? undefined : grouped.get(frame.key);
	const theirs = group === undefined ? undefined : ownAge(group, userFrames.grouped.ages);
	// The verdict is the frame's; the figures stay the site's own.
	return theirs === undefined || theirs.verdict === 'unknown' ? own : {...own, verdict: theirs.verdict, horizonMs: theirs.horizonMs};
}

const compare: Record<SortKey, (a: SiteRow, b: SiteRow) => number> = {
	leak: (a, b) => (Number(b.suspect) - Number(a.suspect))
		|| (a.suspect ? b.growthPerMinute - a.growthPerMinute : b.liveBytes - a.liveBytes),
	live: (a, b) => b.liveBytes - a.liveBytes,
	growth: (a, b) => b.growthPerMinute - a.growthPerMinute || b.liveBytes - a.liveBytes,
	samples: (a, b) => b.samples - a.samples || b.liveBytes - a.liveBytes,
	baseline: (a, b) => (b.sinceBaseline ?? 0) - (a.sinceBaseline ?? 0) || b.liveBytes - a.liveBytes,
};


type GrowthMemo = {readonly revision: number; readonly from: number; readonly count: number; readonly samplingInterval: number; readonly growth: Growth[]};
const growthMemo = new WeakMap<History, GrowthMemo>();
const bucketCaches = new WeakMap<History, BucketCache>();

/** How a window of this history is cut into buckets, with the history's own cache of settled buckets. */
export function bucketOptions(history: History, points: readonly Point[]): BucketOptions {
	let cache = bucketCaches.get(history);
	if (cache === undefined) {
		cache = new BucketCache();
		bucketCaches.set(history, cache);
	}

	cache.sync(history.reshapes);
	return {resolution: history.resolutionSince(points[0]?.time ?? 0), cache};
}

/** The window's points from its last break on. */
export function sinceBreak(points: readonly Point[]): readonly Point[] {
	for (let index = points.length - 1; index > 0; index--) {
		if (points[index]!.gap) {
			return points.slice(index);
		}
	}

	return points;
}

/**
 * Growth over a window, computed once per new snapshot: moving the selection, sorting or pausing redraws the
 * table many times between two snapshots, and growth is the costly part of it.
 */
export function windowGrowth(history: History, points: readonly Point[], samplingInterval: number): Growth[] {
	const from = points[0]?.time ?? 0;
	const memo = growthMemo.get(history);
	if (memo !== undefined && memo.revision === history.revision && memo.from === from && memo.count === points.length && memo.samplingInterval === samplingInterval) {
		return memo.growth;
	}

	const growth = growthBySite(points, history.sites.length, {samplingInterval, ...bucketOptions(history, points)});
	growthMemo.set(history, {revision: history.revision, from, count: points.length, samplingInterval, growth});
	return growth;
}

// Spelled out: in V8 11 (Node 20) spreading an object and adding properties costs ~7 µs a row, 15 ms a table.
function siteRow(site: SiteIdentity, id: number, liveBytes: number, samples: number, share: number, judgement: Judgement, growthPerMinute: number, sinceBaseline: number | undefined): SiteRow {
	return {
		key: site.key, functionName: site.functionName, url: site.url, line: site.line, column: site.column, kind: site.kind,
		id, liveBytes, samples, share, growthPerMinute, growthBasis: judgement.growthBasis,
		verdict: judgement.verdict, suspect: judgement.suspect, age: judgement.age, frame: judgement.frame, leak: judgement.leak, partOf: judgement.partOf, sinceBaseline,
	};
}

/**
 * Every site's verdict at the latest profile, over the history since its last break (a re-attach, a sampler
 * restart: the bytes before it say nothing of after). `growth: false` (allocation rates): no verdicts.
 */
export function judgeSites(history: History, latest: Aggregate, samplingInterval: number, growth: boolean, options: JudgeOptions = {}): Map<string, Judgement> {
	const unbroken = sinceBreak(history.points());
	const judged = new Map<string, Judgement>();
	if (!growth) {
		return judged;
	}

	const growths = windowGrowth(history, unbroken, samplingInterval);
	const enoughHistory = hasEnoughHistory(unbroken);
	const bins = options.survivorAge === false ? undefined : latest.ages;
	const grouped = options.userFrames === undefined ? undefined : new Map(options.userFrames.grouped.sites.map(site => [site.key, site]));
	for (const site of latest.sites) {
		const id = history.siteId(site.key);
		if (id !== undefined) {
			const growth = growths[id] ?? noGrowth;
			const age = ageOf(site, bins, options.userFrames, grouped);
			// Too few survivors for their own verdict, but all of them young: what the bands say of turnover.
			const young = growth.suspect && age?.verdict === 'unknown' && turnover(site, age, () => firstHeld(unbroken, id), samplingInterval)
				? {...age, verdict: 'transient' as const, horizonMs: age.edges[ageBandCount]! - age.edges[ageBandCount - 1]!}
				: age;
			const judgement = judge(growth, enoughHistory, young);
			const late = !judgement.suspect && judgement.age !== undefined && options.lateLeaks?.has(site.key) === true;
			judged.set(site.key, late ? {...judgement, verdict: 'leaking', suspect: true, growthBasis: 'late', growthPerMinute: judgement.age!.retentionPerMinute} : judgement);
		}
	}

	// Sites gone since (a collected leak) still answer "what grew".
	for (const [id, site] of history.sites.entries()) {
		if (!judged.has(site.key) && growths[id]?.suspect === true) {
			judged.set(site.key, judge(growths[id], enoughHistory, undefined));
		}
	}

	return judged;
}

const unjudged: Judgement = {growthPerMinute: 0, growthBasis: 'history', verdict: 'unknown', suspect: false, age: undefined};

/**
 * The table: every site that holds memory now, was judged a leak, or changed since the baseline, with its verdict
 * as judged (`judged`, the same in every view and sink) and the growth figure over the window of `points`.
 * Live bytes and samples come from the latest profile, exact.
 */
export function rankSites(history: History, latest: Aggregate, points: readonly Point[], sort: SortKey, samplingInterval: number, judged: ReadonlyMap<string, Judgement>, options: RankOptions = {}): SiteRow[] {
	const unbroken = sinceBreak(points);
	const growth = judged.size === 0 ? [] : windowGrowth(history, unbroken, samplingInterval);
	const enoughHistory = hasEnoughHistory(unbroken);
	// A verdict from history shows the window's growth; one from age, the figure it was judged with.
	const growthOf = (id: number, judgement: Judgement) => {
		if (judgement.growthBasis !== 'history') {
			return judgement.growthPerMinute;
		}

		const windowed = growth[id]?.bytesPerMinute ?? 0;
		return judgement.suspect && (!enoughHistory || windowed <= 0) ? judgement.growthPerMinute : windowed;
	};

	const {baseline} = options;
	const since = (id: number, liveBytes: number) => (baseline === undefined ? undefined : liveBytes - (id < baseline.bytes.length ? baseline.bytes[id]! : 0));
	const total = latest.totalBytes;
	const rows: SiteRow[] = [];
	const present = new Set<number>();
	for (const site of latest.sites) {
		const id = history.siteId(site.key);
		if (id === undefined) {
			continue;
		}

		present.add(id);
		const judgement = judged.get(site.key) ?? unjudged;
		rows.push(siteRow(site, id, site.liveBytes, site.samples, total > 0 ? site.liveBytes / total : 0, judgement, growthOf(id, judgement), since(id, site.liveBytes)));
	}

	for (const [id, site] of history.sites.entries()) {
		const judgement = judged.get(site.key);
		const sinceBaseline = since(id, 0);
		if (!present.has(id) && (judgement?.suspect === true || (sinceBaseline !== undefined && sinceBaseline < 0))) {
			rows.push(siteRow(site, id, 0, 0, 0, judgement ?? unjudged, judgement === undefined ? 0 : growthOf(id, judgement), sinceBaseline));
		}
	}

	return rows.sort(compare[sort]);
}

/** A site's mean live bytes over the window in `width` slices of time, for a sparkline. */
export function sparkValues(points: readonly Point[], id: number, width: number): number[] {
	return resampleByTime(points, width, point => (id < point.mean.length ? point.mean[id]! : 0));
}
