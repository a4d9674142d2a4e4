import {comparePoints} from '../model/compare.js';
import type {OriginalLocation} from '../model/location.js';
import {offHeapHint, workersHeapGrowth} from '../model/off-heap.js';
import {profileSizeHint} from '../model/profile-size.js';
import {heaviestPaths, userFrameOf} from '../model/call-paths.js';
import type {SiteIdentity} from '../model/identity.js';
import type {SamplingProfile} from '../model/profile.js';
import {bucketOptions, type SiteRow} from '../model/ranking.js';
import type {CallPathLeak} from '../model/analyses/call-tree-age.js';
import {siteName} from '../model/location.js';
import type {Metric} from '../model/snapshot.js';
import type {Gauges} from '../model/history.js';
import type {AgeVerdict, SurvivorAge} from '../model/analyses/survivor-age.js';
import {activeHistory, targetPid, workersOf, type TargetState} from '../model/target.js';
import {judgedSites} from '../model/judged.js';
import {mergeAcross} from '../model/merged.js';

export type ReportSite = {
	readonly functionName: string;
	readonly url: string;
	readonly line: number;
	readonly column: number;
	readonly liveBytes: number;
	readonly samples: number;
	readonly growthBytesPerMinute: number;
	/** The site as the table names it: with the frame of the user's code that answers for a builtin or a Node internal. */
	readonly name: string;
	/**
	 * `history`: the polls' growth; `age`: the survivors' age in the latest profile; `late`: survivors watched across
	 * profiles (a leak that began late); `call-path`: a leak V8 moved between a callee and its caller (see `moved`).
	 */
	readonly growthBasis: 'history' | 'age' | 'late' | 'call-path';
	/** Judged a leak: by its own survivors, or as the name of a leak that V8 moved (`moved`). */
	readonly suspect: boolean;
	/**
	 * A leak V8 moved: once the callee was inlined into its caller, V8 charged its allocations to the caller. The
	 * survivors of both together (`liveBytes`), and each move in seconds since sampling began.
	 */
	readonly moved: {
		readonly caller: {readonly functionName: string; readonly url: string; readonly line: number};
		readonly callee: {readonly functionName: string; readonly url: string; readonly line: number};
		readonly liveBytes: number;
		readonly moves: ReadonlyArray<{readonly atSeconds: number; readonly to: string; readonly cause: 'inlined' | 'deoptimised'}>;
	} | null;
	/** This site holds part of a leak that V8 moved into it, named here as the site that names it. */
	readonly partOf: string | null;
	/** leaking, bounded, one-time, transient, long-lived, or unknown (too few samples and too short a history). */
	readonly verdict: AgeVerdict;
	/** Bytes still alive per minute of the target's running time, from survivor age: the leak rate of a leaking site. */
	readonly retentionBytesPerMinute: number | null;
	/** For a bounded or transient site: about how long it keeps what it allocates. */
	readonly horizonMs: number | null;
	/** Live bytes by when they were allocated, oldest first, in seconds before the latest profile. */
	readonly ageBands: ReadonlyArray<{readonly fromSecondsAgo: number; readonly toSecondsAgo: number; readonly bytes: number}>;
	/** The nearest frame with a non-internal URL (itself if it has one): what a user can change. */
	readonly userFrame: {readonly functionName: string; readonly url: string; readonly line: number; readonly column: number} | null;
	/** Where the function starts in the original source, by the script's source map. */
	readonly original: OriginalLocation | null;
	/** The heaviest call paths that end in this site, leaf first. */
	readonly paths: ReadonlyArray<{readonly frames: readonly string[]; readonly bytes: number}>;
	/** With several targets, at the top level: the site in each target that has it, by target id. */
	readonly byTarget?: ReadonlyArray<{readonly target: string; readonly liveBytes: number; readonly growthBytesPerMinute: number; readonly verdict: AgeVerdict; readonly suspect: boolean}>;
};

/** One target's own report inside `targets`: who it is, and every field of a one-target report about it alone. */
export type TargetReport = Omit<Report, 'targets'> & {
	readonly id: string;
	readonly kind: 'process' | 'worker';
	/** A worker's process (its target id); null for a process. */
	readonly parent: string | null;
};

/** The machine-readable contract of `--report`: later versions add fields, never remove or change them. */
export type Report = {
	readonly leaktop: 1;
	readonly target: {readonly url: string; readonly title: string; readonly pid?: number};
	readonly durationMs: number;
	readonly snapshots: number;
	readonly samplingInterval: number;
	readonly heap: {readonly usedBytes: number; readonly totalBytes: number; readonly sampledBytes: number} | null;
	readonly memory: {
		readonly rss: readonly [number, number] | null;
		readonly external: readonly [number, number] | null;
		readonly heapUsed: readonly [number, number] | null;
	};
	/** What polling cost the target: each poll forces a full GC and holds it until the profile is serialised. */
	readonly polling: {
		readonly polls: number;
		readonly meanPollMs: number;
		/** Share of wall time since attaching spent in polls, the first one included. */
		readonly pausedShare: number;
		/** The first poll's pause: it runs before the governor knows what a poll costs. */
		readonly firstPollMs: number;
		/** Share of wall time after the first poll spent in polls. */
		readonly steadyPausedShare: number;
		/**
		 * The highest share of any minute after the first poll spent in polls (the closing poll a report takes at
		 * its end aside): what the governor holds to --max-overhead.
		 */
		readonly worstMinutePausedShare: number;
		/**
		 * The dearest poll after the first. Above --max-overhead × 60 s (300 ms at 0.5%) it alone puts the minute
		 * that holds it over the budget, which the governor then holds over the span between polls.
		 */
		readonly longestPollMs: number;
	};
	readonly exited: string | null;
	/** How a program leaktop started ended: its exit code, or the signal that ended it; null while it ran, or when attached. */
	readonly exit: {readonly code: number | null; readonly signal: string | null} | null;
	/** Plain-language findings the table cannot show, such as growth outside the JS heap. */
	readonly hints: readonly string[];
	readonly sites: readonly ReportSite[];
	/** All snapshots against the heaviest (100 - percentile)% of them, sorted by deltaBytes, descending. */
	readonly comparison: {
		readonly percentile: number;
		readonly metric: Metric;
		readonly topSnapshots: number;
		readonly thresholdBytes: number;
		readonly sites: ReadonlyArray<{
			readonly functionName: string;
			readonly url: string;
			readonly line: number;
			readonly column: number;
			readonly meanBytes: number;
			readonly meanBytesTop: number;
			readonly deltaBytes: number;
		}>;
	};
	/**
	 * Every target sampled, each with its own report. With one, the top-level fields are its own; with several
	 * (worker threads, child processes, several addresses), they are the first process's, except `sites`, which
	 * merges the sites of all targets (live bytes and growth summed, a suspect where any target has it leaking,
	 * split in `byTarget`).
	 */
	readonly targets?: readonly TargetReport[];
};

/** A script's `file://` URL as the path the sites of CommonJS code carry, so a report's places read alike. */
function asPath(url: string): string {
	if (!url.startsWith('file://')) {
		return url;
	}

	try {
		return decodeURIComponent(new URL(url).pathname);
	} catch {
		return url;
	}
}

function ageBands(age: SurvivorAge | undefined): ReportSite['ageBands'] {
	if (age === undefined) {
		return [];
	}

	const now = age.edges.at(-1)!;
	const secondsAgo = (time: number) => Math.max(0, Math.round((now - time) / 100) / 10);
	return age.bands.map((bytes, band) => ({fromSecondsAgo: secondsAgo(age.edges[band]!), toSecondsAgo: secondsAgo(age.edges[band + 1]!), bytes: Math.round(bytes)}));
}

function userFrame(profile: SamplingProfile | undefined, row: SiteRow): ReportSite['userFrame'] {
	const frame = row.frame ?? (profile === undefined ? undefined : userFrameOf(profile, row));
	return frame === undefined ? null : {functionName: frame.functionName, url: frame.url, line: frame.line, column: frame.column};
}

const place = (site: SiteIdentity) => ({functionName: site.functionName, url: site.url, line: site.line});

function movedLeak(leak: CallPathLeak | undefined, startedAt: number): ReportSite['moved'] {
	return leak === undefined ? null : {
		caller: place(leak.node),
		callee: place(leak.callee),
		liveBytes: Math.round(leak.liveBytes),
		moves: leak.moves.map(move => ({atSeconds: Math.round((move.at - startedAt) / 100) / 10, to: move.to.functionName, cause: move.cause})),
	};
}

function firstLast(first: Gauges | undefined, last: Gauges | undefined, name: keyof Gauges): readonly [number, number] | null {
	if (first === undefined || last === undefined || !Number.isFinite(first[name]) || !Number.isFinite(last[name])) {
		return null;
	}

	return [first[name], last[name]];
}

function steadyShare({firstPoll, pollMsTotal}: TargetState, endedAt: number): number {
	const since = endedAt - (firstPoll?.endedAt ?? endedAt);
	return firstPoll === undefined || since <= 0 ? 0 : Number(((pollMsTotal - firstPoll.ms) / since).toFixed(4));
}

/** The report over everything sampled from one target: sites at the last snapshot, growth over the whole duration. */
export function buildReport(
	target: TargetState, endedAt: number, percentile: number, originals: ReadonlyMap<string, OriginalLocation> = new Map(), targets: readonly TargetState[] = [target],
): Report {
	const {latest, metric, samplingInterval} = target;
	const latestAggregate = target.latestAggregates.site;
	const history = activeHistory(target);
	const points = history.points();
	const rows = judgedSites(target);
	const comparison = comparePoints(points, history.sites, percentile, 'delta', bucketOptions(history, points));
	const offHeap = offHeapHint(points, workersHeapGrowth(workersOf(target, targets), points[0]?.time ?? 0, points.at(-1)?.time ?? 0));
	const lastGauges = history.latest?.gauges;
	const durationMs = Math.max(0, endedAt - target.attachedAt);
	const pid = targetPid(target);
	return {
		leaktop: 1,
		target: {url: asPath(target.info.url), title: target.info.title, ...(pid === undefined ? {} : {pid})},
		durationMs,
		snapshots: target.snapshots,
		samplingInterval,
		heap: latest === undefined ? null : {usedBytes: latest.heap.usedSize, totalBytes: latest.heap.totalSize, sampledBytes: latestAggregate?.totalBytes ?? 0},
		memory: {
			rss: firstLast(target.firstGauges, lastGauges, 'rss'),
			external: firstLast(target.firstGauges, lastGauges, 'external'),
			heapUsed: firstLast(target.firstGauges, lastGauges, 'heapUsed'),
		},
		polling: {
			polls: target.snapshots,
			meanPollMs: target.snapshots === 0 ? 0 : Math.round(target.pollMsTotal / target.snapshots),
			pausedShare: durationMs === 0 ? 0 : Number((target.pollMsTotal / durationMs).toFixed(4)),
			firstPollMs: Math.round(target.firstPoll?.ms ?? 0),
			steadyPausedShare: steadyShare(target, endedAt),
			worstMinutePausedShare: Number((target.pauses?.worstMinute ?? 0).toFixed(4)),
			longestPollMs: Math.round(target.pauses?.longestMs ?? 0),
		},
		exited: target.status.kind === 'exited' ? target.status.reason : null,
		exit: target.status.kind === 'exited' && target.status.exit !== undefined ? target.status.exit : null,
		hints: [offHeap, latestAggregate === undefined ? undefined : profileSizeHint(latestAggregate.nodeCount, samplingInterval)].filter(hint => hint !== undefined),
		sites: rows.map(row => ({
			functionName: row.functionName,
			url: row.url,
			line: row.line,
			column: row.column,
			liveBytes: row.liveBytes,
			samples: row.samples,
			growthBytesPerMinute: Math.round(row.growthPerMinute),
			growthBasis: row.growthBasis,
			suspect: row.suspect,
			moved: movedLeak(row.leak, row.leak?.age.edges[0] ?? 0),
			partOf: row.partOf === undefined ? null : siteName(row.partOf.frame ?? row.partOf.callee, ''),
			verdict: row.verdict,
			retentionBytesPerMinute: row.age === undefined ? null : Math.round(row.age.retentionPerMinute),
			horizonMs: row.age?.horizonMs === undefined ? null : Math.round(row.age.horizonMs),
			ageBands: ageBands(row.age),
			name: siteName(row, ''),
			userFrame: userFrame(latest?.profile, row),
			original: originals.get(row.key) ?? null,
			paths: latest === undefined ? [] : heaviestPaths(latest.profile, row).map(path => ({frames: path.frames, bytes: Math.round(path.bytes)})),
		})),
		comparison: {
			percentile,
			metric,
			topSnapshots: comparison.heavy.indexes.length,
			thresholdBytes: Math.round(comparison.heavy.threshold),
			sites: comparison.rows.map(row => ({
				functionName: row.functionName, url: row.url, line: row.line, column: row.column,
				meanBytes: Math.round(row.meanBytes), meanBytesTop: Math.round(row.meanBytesTop), deltaBytes: Math.round(row.deltaBytes),
			})),
		},
	};
}

/** The top level's sites across targets: one row per site, summed, leaking wherever any target has it leaking. */
function mergeSites(reports: readonly TargetReport[]): ReportSite[] {
	return mergeAcross(reports.map(report => ({targetId: report.id, rows: report.sites}))).map(({lead, parts, liveBytes, suspect}) => ({
		...lead,
		liveBytes,
		samples: parts.reduce((total, {row}) => total + row.samples, 0),
		growthBytesPerMinute: parts.reduce((total, {row}) => total + row.growthBytesPerMinute, 0),
		suspect,
		byTarget: parts.map(({targetId, row}) => ({target: targetId, liveBytes: row.liveBytes, growthBytesPerMinute: row.growthBytesPerMinute, verdict: row.verdict, suspect: row.suspect})),
	})).sort((a, b) => Number(b.suspect) - Number(a.suspect) || b.growthBytesPerMinute - a.growthBytesPerMinute || b.liveBytes - a.liveBytes);
}

/**
 * The report of a session: one target's report with that target in `targets`; with several, the first
 * process's figures, every target's own report in `targets`, and the sites merged across them.
 */
export function buildSessionReport(
	targets: readonly TargetState[], endedAt: number, percentile: number, originals: ReadonlyMap<string, OriginalLocation> = new Map(),
): Report {
	const reports: TargetReport[] = targets.map(target => ({
		id: target.info.id,
		kind: target.info.kind ?? 'process',
		parent: target.info.parent ?? null,
		...buildReport(target, endedAt, percentile, originals, targets),
	}));
	const first = reports[0]!;
	const {id: _id, kind: _kind, parent: _parent, ...top} = first;
	return {...top, ...(reports.length > 1 ? {sites: mergeSites(reports)} : {}), targets: reports};
}
