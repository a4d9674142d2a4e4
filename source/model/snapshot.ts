import type {SamplingProfile} from './profile.js';

/** What one poll of a target brings: the model's input, whichever door it came through. */

/**
 * `Runtime.getHeapUsage`. From V8 13.4 (Node 24) also `backingStorageSize`, the ArrayBuffers' and external strings'
 * backing stores, and `embedderHeapUsedSize` (Node's C++ objects traced by V8): off-heap memory read without
 * evaluating anything, so `--no-eval` still sees it.
 */
export type HeapUsage = {readonly usedSize: number; readonly totalSize: number; readonly backingStorageSize?: number; readonly embedderHeapUsedSize?: number};

export type MemoryUsage = {
	readonly rss: number;
	readonly heapTotal: number;
	readonly heapUsed: number;
	readonly external: number;
	readonly arrayBuffers: number;
};

/** What the one evaluated expression reads. */
export type ProcessFigures = {
	readonly memory: MemoryUsage;
	readonly pid: number;
	readonly uptimeSeconds: number;
	/** V8's heap size limit; absent in recordings made before it was read. */
	readonly heapLimit?: number;
};

/** The overhead governor's state after a poll (see sample/governor.ts). */
export type Governor = {
	/** Round trip of the last profile request: the pause leaktop caused (a forced full GC, then serialisation). */
	readonly lastPollMs: number;
	/** Smoothed round trip of the profile request. */
	readonly pollMs: number;
	/** Time from one poll's start to the next's. */
	readonly intervalMs: number;
	/** Share of the target's wall time spent in polls at this interval, 0..1. */
	readonly overhead: number;
	/** True when the interval was stretched beyond the one asked for. */
	readonly stretched: boolean;
};

/**
 * retained: what the live objects allocated in each site hold now (the default, and what growth is about);
 * allocated: what each site allocated since the previous poll, freed or not (brief spikes between polls).
 */
export type Metric = 'retained' | 'allocated';

/** One poll of one target: what the sampler hands to the store. */
export type RawSnapshot = {
	readonly targetId: string;
	readonly time: number;
	readonly profile: SamplingProfile;
	readonly heap: HeapUsage;
	/** Absent with --no-eval or when the target would not answer. */
	readonly process: ProcessFigures | undefined;
	readonly governor: Governor;
	readonly samplingInterval: number;
	/** leaktop's own CPU time since the previous poll, as a share of one core over that time. */
	readonly selfCpu: number;
	readonly metric: Metric;
	/** For `allocated`: when the profile's counting began (ms since the epoch). */
	readonly since: number;
	/**
	 * When the sampler began counting the ordinals in this profile (ms since the epoch): where the allocation
	 * clock of survivor age starts. Absent in recordings made before it was kept, and for a shared sampler.
	 */
	readonly samplingStartedAt?: number;
	/** The poll a report takes when its duration ends, however soon after the last: outside the governed budget. */
	readonly closing?: boolean;
};

