import type {HeapUsage, ProcessFigures, RawSnapshot} from './model/snapshot.js';

/**
 * The one event stream: every door (a live session, a recording being played) emits these, and every consumer
 * (the model, the recording writer, the report, any later sink) reads them unchanged. Each carries the id of
 * the target it is about, so several targets can share one stream.
 */

/** Who a target is, as the session found it. */
export type TargetInfo = {
	readonly id: string;
	readonly title: string;
	readonly url: string;
	readonly pid: number | undefined;
	/** The file a spawned target's output is written to as well (--log). */
	readonly logPath: string | undefined;
	/** leaktop started this program: what it prints comes as `output` events (absent: attached, or a recording before them). */
	readonly started?: boolean;
	/** Other targets the inspector listed that were not taken. */
	readonly otherTargets: number;
	/** A process, or a worker thread (its own isolate) of one; absent in recordings made before workers were followed. */
	readonly kind?: 'process' | 'worker';
	/** A worker's process: the target id of its main thread. */
	readonly parent?: string;
};

export type LeaktopEvent =
	/**
	 * Sampling began. The first one for a target introduces it; a later one (`reattached` says why) means the
	 * target came back after it went away: history has a break there.
	 */
	| {readonly type: 'attached'; readonly targetId: string; readonly time: number; readonly info: TargetInfo; readonly samplingInterval: number; readonly reattached?: string}
	| {readonly type: 'snapshot'; readonly targetId: string; readonly time: number; readonly snapshot: RawSnapshot}
	/** The heap's figures between polls (once a second, no GC); `process` unless --no-eval. */
	| {readonly type: 'gauges'; readonly targetId: string; readonly time: number; readonly heap: HeapUsage; readonly process: ProcessFigures | undefined}
	/** Something to tell the user; `gap`: sampling restarted, so history has a break here. */
	| {readonly type: 'notice'; readonly targetId: string; readonly time: number; readonly message: string; readonly gap: boolean}
	/** The target went away; `exit`: how a program leaktop started ended, when it knows. */
	| {readonly type: 'exited'; readonly targetId: string; readonly time: number; readonly reason: string; readonly exit?: {readonly code: number | null; readonly signal: string | null}}
	/** Lines a spawned program printed (a batch of them, in order), on its stdout or stderr. */
	| {readonly type: 'output'; readonly targetId: string; readonly time: number; readonly stream: 'stdout' | 'stderr'; readonly lines: readonly string[]}
	/** The session ended cleanly. */
	| {readonly type: 'end'; readonly targetId: string; readonly time: number};

export type EventType = LeaktopEvent['type'];

/** Anything that reads the stream. */
export type EventSink = (event: LeaktopEvent) => void;

/** One sink that hands every event to each of `sinks`, in order. */
export function fanOut(...sinks: ReadonlyArray<EventSink | undefined>): EventSink {
	const present = sinks.filter(sink => sink !== undefined);
	return event => {
		for (const sink of present) {
			sink(event);
		}
	};
}
