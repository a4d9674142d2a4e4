import type {LeaktopEvent, TargetInfo} from '../events.js';
import {AllocationClock, pushThinned} from './allocation-clock.js';
import {LateLeaks} from './analyses/late-leak.js';
import {OutputLog} from './output-log.js';
import {PeakProfiles} from './peak-profiles.js';
import {ageBins} from './analyses/survivor-age.js';
import {History, type Gauges, type HistoryOptions} from './history.js';
import {addPause, startPauseShare, type PauseShare} from './pause-share.js';
import {FrameTable} from './frame-table.js';
import {aggregateGroupings, maxOrdinalOf, withUrls, scaleAggregate, type Aggregate, type Grouping} from './profile.js';
import type {Baseline} from './ranking.js';
import type {HeapUsage, Metric, ProcessFigures, RawSnapshot} from './snapshot.js';

export type TargetStatus =
	| {readonly kind: 'sampling'}
	| {readonly kind: 'exited'; readonly reason: string; readonly exit?: {readonly code: number | null; readonly signal: string | null}};

/** One history per grouping and metric: what every view, the report and the exports read. */
export type Histories = {readonly [grouping in Grouping]: {readonly [metric in Metric]: History}};

/**
 * Everything known about one target. Replaced by a new object whenever an event changes it, so a view can
 * tell change by identity; the histories inside are owned by the model and grow in place.
 */
export type TargetState = {
	readonly info: TargetInfo;
	readonly attachedAt: number;
	/** Bytes between samples in V8's sampler, as the session asked for it. */
	readonly samplingInterval: number;
	/**
	 * site: functions as V8 reports them; user: builtins and Node internals counted in their nearest user frame.
	 * retained: live bytes per site; allocated: bytes allocated per second over each interval.
	 */
	readonly histories: Histories;
	/** Script id to URL, for the life of the session: names frames whose URL a later profile dropped. */
	readonly scripts: ReadonlyMap<string, string>;
	/** The latest snapshot's aggregate, per grouping. */
	readonly latestAggregates: {readonly [grouping in Grouping]: Aggregate | undefined};
	/** The metric of the latest snapshot. */
	readonly metric: Metric;
	/** Survivor age's clock since the sampler last started: retained polls and heap readings (grows in place). */
	readonly ageClock: AllocationClock;
	/** The sites of the call frames its profiles name, by node id, for the session (grows in place). */
	readonly frames: FrameTable;
	/** Sites watched across profiles for a leak that began late, per grouping (changes in place, on the age clock). */
	readonly lateWatch: {readonly [grouping in Grouping]: LateLeaks};
	/** The profiles of the heaviest snapshots, for call paths as they were at a spike (changes in place). */
	readonly peaks: PeakProfiles;
	/** The sites judged late leaks at the latest profile, per grouping. */
	readonly lateLeaks: {readonly [grouping in Grouping]: ReadonlySet<string>};
	/** What a spawned program printed, its newest lines (grows in place). */
	readonly output: OutputLog;
	/** Breaks in history so far (a sampler restart, a re-attach): a judgement is of one profile and one stretch of history. */
	readonly breaks: number;
	/** The heap's figures over time, from polls and from the readings between them (grows in place, thinned). */
	readonly readings: readonly Reading[];
	/** The newest figures of the heap (and process, unless --no-eval): from a poll or a reading between polls. */
	readonly live: {readonly time: number; readonly heap: HeapUsage; readonly process: ProcessFigures | undefined} | undefined;
	/** Bytes allocated per second between the last two polls, when known. */
	readonly allocationRate: number | undefined;
	readonly baseline: Baseline | undefined;
	/** The latest snapshot, its profile's URLs filled from `scripts`. */
	readonly latest: RawSnapshot | undefined;
	readonly firstGauges: Gauges | undefined;
	readonly snapshots: number;
	/** Sum of every poll's round trip: the time leaktop held the target paused. */
	readonly pollMsTotal: number;
	/** The first poll, which pays for the whole heap at once, apart from the governed ones after it. */
	readonly firstPoll: {readonly ms: number; readonly endedAt: number} | undefined;
	/** The governed polls' pauses: the share of any minute after the first poll they took. */
	readonly pauses: PauseShare | undefined;
	readonly status: TargetStatus;
	readonly notice: string | undefined;
};

/** One reading of the heap's figures (rss and external NaN with --no-eval). */
export type Reading = {readonly time: number; readonly heapUsed: number; readonly heapTotal: number; readonly rss: number; readonly external: number};

/**
 * External memory without evaluating anything (--no-eval): what V8 ≥ 13.4 reports of backing stores and Node's
 * C++ objects, close to what process.memoryUsage() calls external; NaN where it is not reported.
 */
function offHeap(heap: HeapUsage): number {
	return heap.backingStorageSize === undefined ? Number.NaN : heap.backingStorageSize + (heap.embedderHeapUsedSize ?? 0);
}

function addReading(target: TargetState, time: number, heap: HeapUsage, process: ProcessFigures | undefined): void {
	const reading = {time, heapUsed: heap.usedSize, heapTotal: heap.totalSize, rss: process?.memory.rss ?? Number.NaN, external: process?.memory.external ?? offHeap(heap)};
	pushThinned(target.readings as Reading[], reading, 4096);
}

/** The history of the metric being measured, grouped as asked. */
export function activeHistory(target: TargetState, grouping: Grouping = 'site'): History {
	return target.histories[grouping][target.metric];
}

function eachHistory(target: TargetState): History[] {
	return [target.histories.site.retained, target.histories.site.allocated, target.histories.user.retained, target.histories.user.allocated];
}

/** Every site any history of the target has seen, each once per history. */
export function knownSites(target: TargetState) {
	return eachHistory(target).flatMap(history => history.sites);
}

/**
 * Bytes allocated per second before this poll: in the allocated metric, the profile's whole weight (already
 * per second); in the retained one, a lower bound from the running count of the samples still alive
 * (Δ max ordinal × interval): samples of objects that died young are gone from the profile.
 */
function allocationRate(previous: RawSnapshot | undefined, previousAggregate: Aggregate | undefined, raw: RawSnapshot, aggregate: Aggregate): number | undefined {
	if (raw.metric === 'allocated') {
		return aggregate.totalBytes;
	}

	if (previous === undefined || previousAggregate === undefined || previous.metric !== 'retained' || raw.time <= previous.time) {
		return undefined;
	}

	const counted = aggregate.maxOrdinal - previousAggregate.maxOrdinal;
	// A lower count means the sampler restarted: the difference says nothing.
	return counted < 0 ? undefined : (counted * raw.samplingInterval * 1000) / (raw.time - previous.time);
}

function gaugesOf(snapshot: RawSnapshot): Gauges {
	return {
		heapUsed: snapshot.heap.usedSize,
		heapTotal: snapshot.heap.totalSize,
		rss: snapshot.process?.memory.rss ?? Number.NaN,
		external: snapshot.process?.memory.external ?? offHeap(snapshot.heap),
		arrayBuffers: snapshot.process?.memory.arrayBuffers ?? snapshot.heap.backingStorageSize ?? Number.NaN,
	};
}

function ingest(target: TargetState, received: RawSnapshot): TargetState {
	const scripts = new Map(target.scripts);
	const raw = {...received, profile: withUrls(received.profile, scripts)};
	const perSecond = 1000 / Math.max(1, raw.time - raw.since);
	const {ageClock} = target;
	if (raw.metric === 'retained') {
		ageClock.poll(raw.time, maxOrdinalOf(raw.profile), raw.samplingStartedAt);
		ageClock.heap(raw.time, raw.heap.usedSize);
	} else {
		ageClock.restart(raw.time);
		restartWatches(target);
	}

	const ages = raw.metric === 'retained' && ageClock.polls.length >= 2 ? ageBins(ageClock) : undefined;
	addReading(target, raw.time, raw.heap, raw.process);
	const counted = aggregateGroupings(raw.profile, ages, target.frames);
	const [site, user] = raw.metric === 'allocated' ? [scaleAggregate(counted.site, perSecond), scaleAggregate(counted.user, perSecond)] : [counted.site, counted.user];
	if (ages !== undefined) {
		target.lateWatch.site.update(raw.time, counted.site.sites, ages);
		target.lateWatch.user.update(raw.time, counted.user.sites, ages);
	}

	target.peaks.add({time: raw.time, weight: site.totalBytes, profile: raw.profile}, raw.metric);
	const gauges = gaugesOf(raw);
	target.histories.site[raw.metric].add(raw.time, site, gauges);
	target.histories.user[raw.metric].add(raw.time, user, gauges);
	return {
		...target, scripts, latest: raw, latestAggregates: {site, user}, lateLeaks: ages === undefined ? noLateLeaks : {site: target.lateWatch.site.leaking, user: target.lateWatch.user.leaking}, firstGauges: target.firstGauges ?? gauges, snapshots: target.snapshots + 1,
		pollMsTotal: target.pollMsTotal + raw.governor.lastPollMs, firstPoll: target.firstPoll ?? {ms: raw.governor.lastPollMs, endedAt: raw.time},
		pauses: target.pauses === undefined ? startPauseShare(raw.time) : raw.closing === true ? target.pauses : addPause(target.pauses, {end: raw.time, ms: raw.governor.lastPollMs}),
		metric: raw.metric,
		samplingInterval: raw.samplingInterval,
		allocationRate: allocationRate(target.latest, target.latestAggregates.site, raw, site),
		live: {time: raw.time, heap: raw.heap, process: raw.process ?? target.live?.process},
	};
}

const noLateLeaks = {site: new Set<string>(), user: new Set<string>()};

function restartWatches(target: TargetState): void {
	target.lateWatch.site.restart();
	target.lateWatch.user.restart();
}

/** A break in history: the sampler restarted (or the target did), so the allocation clock starts again. */
function breakAt(target: TargetState, time: number): TargetState {
	for (const history of eachHistory(target)) {
		history.markGap();
	}

	target.ageClock.restart(time);
	restartWatches(target);
	return {...target, breaks: target.breaks + 1};
}

/** The live bytes of every site now, to compare later snapshots against. */
function baselineOf(target: TargetState): Baseline | undefined {
	const point = target.histories.site.retained.latest;
	return point === undefined || target.metric !== 'retained' ? undefined : {time: point.time, bytes: Float32Array.from(point.mean)};
}

/** One target's state after an event about it. */
function applyToTarget(target: TargetState, event: LeaktopEvent): TargetState {
	switch (event.type) {
		case 'snapshot': {
			return ingest(target, event.snapshot);
		}

		case 'notice': {
			return {...(event.gap ? breakAt(target, event.time) : target), notice: event.message};
		}

		case 'exited': {
			// The inspector's end and the process's both come: the one that says how it exited is kept.
			if (event.exit === undefined && target.status.kind === 'exited' && target.status.exit !== undefined) {
				return target;
			}

			return {...target, status: {kind: 'exited', reason: event.reason, ...(event.exit === undefined ? {} : {exit: event.exit})}};
		}

		case 'output': {
			target.output.add(event.stream, event.lines);
			return {...target};
		}

		case 'attached': {
			// A restarted target is a new process: its first poll pays for its whole heap, as the first one did.
			return event.reattached === undefined
				? target
				: {...breakAt(target, event.time), status: {kind: 'sampling'}, notice: event.reattached, pauses: undefined};
		}

		case 'gauges': {
			target.ageClock.heap(event.time, event.heap.usedSize);
			addReading(target, event.time, event.heap, event.process);
			return {...target, live: {time: event.time, heap: event.heap, process: event.process ?? target.live?.process}};
		}

		case 'end': {
			return target;
		}
	}
}

/**
 * The model of every target in a session: it ingests the event stream and owns the histories and analyses,
 * so the live view, a replay and a report compute the same numbers from the same events.
 */
export type Model = {
	readonly targets: readonly TargetState[];
	/** The target with this id (undefined before its `attached` event). */
	target(targetId: string): TargetState | undefined;
	apply(event: LeaktopEvent): void;
	/** Forgets everything sampled from a target (a replay seeking back), keeping who it is. */
	reset(targetId: string): void;
	/** Takes the target's live bytes now as the baseline (false: none yet), or forgets the baseline. */
	setBaseline(targetId: string, set: boolean): boolean;
};

/** The worker threads of a process target, among all targets: their heaps are in its rss. */
export function workersOf(target: TargetState, targets: readonly TargetState[]): TargetState[] {
	return targets.filter(other => other.info.parent === target.info.id && other.info.kind === 'worker');
}

/** The target's pid: read from the process as it is now (a re-attached target is a new process), else as attached. */
export function targetPid(target: TargetState): number | undefined {
	return target.live?.process?.pid ?? target.info.pid;
}

/** Ended workers a process keeps on screen: a pool that starts one a second would otherwise grow the model for ever. */
export const keptEndedWorkers = 16;

/** The targets without the oldest ended workers of `parent` beyond the kept number, making room for one more. */
function withoutOldWorkers(targets: readonly TargetState[], parent: string | undefined): readonly TargetState[] {
	if (parent === undefined) {
		return targets;
	}

	const ended = targets.filter(target => target.info.parent === parent && target.status.kind === 'exited');
	const dropped = new Set(ended.slice(0, Math.max(0, ended.length - keptEndedWorkers + 1)));
	return dropped.size === 0 ? targets : targets.filter(target => !dropped.has(target));
}

export function createModel(options: {readonly history?: HistoryOptions} = {}): Model {
	const history = () => new History(options.history);
	const fresh = (info: TargetInfo, attachedAt: number, samplingInterval: number): TargetState => ({
		info, attachedAt, samplingInterval, metric: 'retained', ageClock: new AllocationClock(), frames: new FrameTable(), lateWatch: {site: new LateLeaks(), user: new LateLeaks()}, peaks: new PeakProfiles(), lateLeaks: noLateLeaks, breaks: 0, output: new OutputLog(), readings: [], live: undefined, scripts: new Map(),
		histories: {site: {retained: history(), allocated: history()}, user: {retained: history(), allocated: history()}},
		latestAggregates: {site: undefined, user: undefined},
		allocationRate: undefined, baseline: undefined, latest: undefined,
		firstGauges: undefined, snapshots: 0, pollMsTotal: 0, firstPoll: undefined, pauses: undefined, status: {kind: 'sampling'}, notice: undefined,
	});
	let targets: readonly TargetState[] = [];
	const find = (id: string) => targets.find(target => target.info.id === id);
	const update = (id: string, change: (target: TargetState) => TargetState) => {
		targets = targets.map(target => (target.info.id === id ? change(target) : target));
	};

	return {
		get targets() {
			return targets;
		},
		target: find,
		apply(event) {
			if (event.type === 'attached' && !targets.some(target => target.info.id === event.targetId)) {
				targets = [...withoutOldWorkers(targets, event.info.parent), fresh(event.info, event.time, event.samplingInterval)];
				return;
			}

			update(event.targetId, target => applyToTarget(target, event));
		},
		reset(targetId) {
			update(targetId, target => fresh(target.info, target.attachedAt, target.samplingInterval));
		},
		setBaseline(targetId, set) {
			const target = find(targetId);
			const baseline = set && target !== undefined ? baselineOf(target) : undefined;
			if (target === undefined || (set && baseline === undefined)) {
				return false;
			}

			update(targetId, entry => ({...entry, baseline}));
			return true;
		},
	};
}
