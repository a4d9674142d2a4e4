import type {AgeBins} from '../profile.js';

/**
 * Survivor age: a leak verdict from one retained profile. Every sample still in the profile is a survivor, and
 * its ordinal says when it was allocated (an allocation clock that counts every sample since sampling began).
 * A leak keeps survivors from every period, old ones included; a cache built once keeps them from one period
 * only; a bounded cache or TTL keeps only recent ones; churn and spikes keep nothing old. Measured on real
 * targets (shared/CDP-FACTS.md): "survivors in ≥ 7 of 10 bands and ≥ 20% of bytes in the older half" named
 * the leak in 8 of 8 real leaks, and flagged no bounded, one-time or churn site.
 */

/** Equal bands of wall time since the sampler started that survivors are counted in, oldest first. */
export const ageBandCount = 10;

/** leaking: old survivors still held and new ones still added; unknown: too few samples to judge. */
export type AgeVerdict = 'leaking' | 'bounded' | 'one-time' | 'transient' | 'long-lived' | 'unknown';

/**
 * Maps the allocation clock to wall time. `polls`: each poll's time and highest ordinal, from the sampler's
 * start (ordinal 0): exact, but as far apart as the governor spaces the polls (minutes on a big heap).
 * `growth`: how far the JS heap had grown by each reading between polls (its rises added up, its falls at GC
 * ignored), once a second: how allocation went between two polls, so a cache that warmed up early in a long
 * interval is placed early, not spread over the whole interval.
 */
export type AgeClock = {
	readonly polls: ReadonlyArray<{readonly time: number; readonly ordinal: number}>;
	readonly growth: ReadonlyArray<{readonly time: number; readonly bytes: number}>;
};

export type SurvivorAge = {
	readonly verdict: AgeVerdict;
	/** Live bytes by allocation band, oldest first. */
	readonly bands: readonly number[];
	/** Wall time of the band edges (one more than the bands): band i was allocated between edges i and i + 1. */
	readonly edges: readonly number[];
	/** Bytes still alive per minute of the target's running time, over all but the newest band: the leak rate. */
	readonly retentionPerMinute: number;
	/** For `bounded` and `transient`: how long the site keeps what it allocates, about. */
	readonly horizonMs: number | undefined;
	readonly samples: number;
	/** Whether the site still adds: its share of bytes in the newest three bands, and its recent rate against its mean. */
	readonly recentShare: number;
	readonly adding: number;
};

/**
 * Fewer samples than this and the bands are noise: 16 spread evenly fill 7 of 10 bands with 81% probability
 * (10·(1 − 0.9¹⁶) = 8.1 expected). At the default 128 KiB interval that is about 2 MB held by the site.
 */
export const minimumAgeSamples = 16;
export const occupiedForLeak = 7;
const oldShareForLeak = 0.2;
/** A leak still adds: its newest three bands hold at least this share. */
export const recentShareForLeak = 0.1;
/** Below this share in the newest three bands (or this rate in the recent window, against the mean), nothing is added any more: a one-time allocation. */
const recentShareForOneTime = 0.05;
/** A leak adds in the recent window at a quarter of its mean rate at least. */
export const addingForLeak = 0.25;

/** Linear interpolation of `value` over points sorted by time, clamped to the ends. */
function interpolate<Point extends {readonly time: number}>(points: readonly Point[], time: number, value: (point: Point) => number): number {
	if (points.length === 0) {
		return 0;
	}

	if (time <= points[0]!.time) {
		return value(points[0]!);
	}

	let index = 1;
	while (index < points.length && points[index]!.time < time) {
		index++;
	}

	if (index >= points.length) {
		return value(points.at(-1)!);
	}

	const before = points[index - 1]!;
	const after = points[index]!;
	const span = after.time - before.time;
	return span <= 0 ? value(after) : value(before) + (((time - before.time) / span) * (value(after) - value(before)));
}

/**
 * The allocation clock's reading at `time`: exact at each poll; between two polls, shaped by the heap's growth
 * readings when there are any inside the interval, else linear.
 */
export function ordinalAtTime(clock: AgeClock, time: number): number {
	const {polls, growth} = clock;
	if (polls.length === 0 || time <= polls[0]!.time) {
		return polls[0]?.ordinal ?? 0;
	}

	let index = 1;
	while (index < polls.length && polls[index]!.time < time) {
		index++;
	}

	if (index >= polls.length) {
		return polls.at(-1)!.ordinal;
	}

	const before = polls[index - 1]!;
	const after = polls[index]!;
	const grown = (at: number) => interpolate(growth, at, point => point.bytes);
	const inside = growth.some(point => point.time > before.time && point.time < after.time);
	const total = grown(after.time) - grown(before.time);
	const share = inside && total > 0
		? (grown(time) - grown(before.time)) / total
		: (time - before.time) / Math.max(1, after.time - before.time);
	return before.ordinal + (Math.max(0, Math.min(1, share)) * (after.ordinal - before.ordinal));
}

/** The band edges in wall time: equal bands from the sampler's start to the latest poll. */
function timeEdges(clock: AgeClock): number[] {
	const start = clock.polls[0]?.time ?? 0;
	const span = (clock.polls.at(-1)?.time ?? start) - start;
	return Array.from({length: ageBandCount + 1}, (_, index) => start + ((index * span) / ageBandCount));
}

/**
 * The recent windows whose survivors say whether a site still adds. Poll-aligned: the newest polls taken
 * together until they cover a tenth of the clock at least (poll times are exact; with one poll, the whole
 * clock). With heap readings, also the newest fifth of the clock as the heap's growth shapes it: sharper when
 * the polls are far apart, but wrong when the heap stalled while a small site kept adding (its churn collected),
 * so a site stopped adding only when both windows say so.
 */
function recentStarts(clock: AgeClock): number[] {
	const {polls} = clock;
	const start = polls[0]?.time ?? 0;
	const end = polls.at(-1)?.time ?? start;
	let index = polls.length - 2;
	while (index > 0 && end - polls[index]!.time < (end - start) / ageBandCount) {
		index--;
	}

	const sincePolls = polls[Math.max(0, index)]?.time ?? start;
	return clock.growth.length >= 2 ? [sincePolls, end - ((end - start) / 5)] : [sincePolls];
}

/**
 * How the model counts a profile's survivors for this clock (which already holds the profile's own poll): time
 * bands turned into ordinals through the clock, so the bands are equal in time, not in bytes allocated (a cache
 * warming up allocates most of the bytes of its first minutes, but only over those minutes).
 */
export function ageBins(clock: AgeClock): AgeBins {
	const times = timeEdges(clock);
	const recent = recentStarts(clock).map(start => ({from: ordinalAtTime(clock, start), start}));
	return {edges: times.map(time => ordinalAtTime(clock, time)), times, recent};
}

function share(bands: readonly number[], from: number, to: number, total: number): number {
	let sum = 0;
	for (let band = from; band < to; band++) {
		sum += bands[band]!;
	}

	return total > 0 ? sum / total : 0;
}

/**
 * The site's bytes per ms allocated in the recent windows against its mean over the whole clock, the highest
 * of them: about 1 for a leak, 0 for a cache that stopped filling, far above 1 for what is only kept a while.
 */
function recentRatio(total: number, recentBytes: readonly number[], bins: AgeBins): number {
	const start = bins.times[0]!;
	const end = bins.times.at(-1)!;
	let highest = 0;
	for (const [window, {start: recentStart}] of bins.recent.entries()) {
		const recentSpan = end - recentStart;
		const ratio = total <= 0 || recentSpan <= 0 || end <= start ? 1 : ((recentBytes[window] ?? 0) / recentSpan) / (total / (end - start));
		highest = Math.max(highest, ratio);
	}

	return bins.recent.length === 0 ? 1 : highest;
}

function verdictOf(bands: readonly number[], counts: readonly number[], samples: number, adding: number): AgeVerdict {
	if (samples < minimumAgeSamples) {
		return 'unknown';
	}

	const total = bands.reduce((sum, bytes) => sum + bytes, 0);
	const occupied = counts.filter(count => count > 0).length;
	const old = share(bands, 0, ageBandCount / 2, total);
	const recent = share(bands, ageBandCount - 3, ageBandCount, total);
	if (occupied >= occupiedForLeak && old >= oldShareForLeak && recent >= recentShareForLeak && adding >= addingForLeak) {
		return 'leaking';
	}

	if (recent < recentShareForOneTime || adding < recentShareForOneTime) {
		return 'one-time';
	}

	if (counts.slice(0, -1).every(count => count === 0)) {
		return 'transient';
	}

	return old < oldShareForLeak ? 'bounded' : 'long-lived';
}

/**
 * Judges one site's survivors: `bands` and `counts` by allocation time (oldest first) and `recentBytes` per
 * recent window from the latest profile, counted with `bins` (from `ageBins` of the clock at that profile).
 */
export function survivorAge(bands: readonly number[], counts: readonly number[], recentBytes: readonly number[], bins: AgeBins): SurvivorAge {
	const samples = counts.reduce((sum, count) => sum + count, 0);
	const total = bands.reduce((sum, bytes) => sum + bytes, 0);
	const edges = bins.times;
	const adding = recentRatio(total, recentBytes, bins);
	const verdict = verdictOf(bands, counts, samples, adding);
	const olderSpan = edges[ageBandCount - 1]! - edges[0]!;
	const older = total - bands[ageBandCount - 1]!;
	const retentionPerMinute = olderSpan > 0 ? (older * 60_000) / olderSpan : 0;
	const oldestHeld = counts.findIndex(count => count > 0);
	const now = edges[ageBandCount]!;
	const horizonMs = (verdict === 'bounded' || verdict === 'transient') && oldestHeld >= 0
		? Math.max(now - edges[oldestHeld]!, (now - edges[0]!) / ageBandCount)
		: undefined;
	return {verdict, bands, edges, retentionPerMinute, horizonMs, samples, recentShare: share(bands, ageBandCount - 3, ageBandCount, total), adding};
}

/** The wall time of an allocation-clock reading, between the band edges it falls in (linear within a band). */
export function timeOfOrdinal(bins: AgeBins, ordinal: number): number {
	const {edges, times} = bins;
	let band = 0;
	while (band < edges.length - 2 && ordinal >= edges[band + 1]!) {
		band++;
	}

	const span = edges[band + 1]! - edges[band]!;
	const share = span > 0 ? Math.max(0, Math.min(1, (ordinal - edges[band]!) / span)) : 0;
	return times[band]! + (share * (times[band + 1]! - times[band]!));
}
