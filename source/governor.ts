/**
 * The overhead governor: every poll forces a full GC in the target, and its cost grows with the heap, so the
 * time between polls stretches until the share of the target's time spent in polls stays under a budget.
 */
export type Governor = {
	/** Round trip of the last profile request: the pause leaktop caused (a forced full GC, then serialisation). */
	readonly lastPollMs: number;
	/** Smoothed round trip of the profile request. */
	readonly pollMs: number;
	/** Time from one poll's start to the next's. */
	readonly intervalMs: number;
	/** Share of the target's wall time spent in polls, 0..1. */
	readonly overhead: number;
	/** True when the interval was stretched beyond the one asked for. */
	readonly stretched: boolean;
};

const smoothing = 0.3;

/** The next interval after a poll that took `pollMs`, given the interval asked for and the overhead budget (0..1). */
export function govern(previous: Governor | undefined, pollMs: number, requestedIntervalMs: number, maxOverhead: number): Governor {
	const smoothed = previous === undefined ? pollMs : (smoothing * pollMs) + ((1 - smoothing) * previous.pollMs);
	// A single slow poll must stretch at once; the smoothed value lets the interval relax slowly afterwards.
	const cost = Math.max(smoothed, pollMs);
	const needed = cost / maxOverhead;
	const intervalMs = Math.max(requestedIntervalMs, needed);
	return {lastPollMs: pollMs, pollMs: smoothed, intervalMs, overhead: cost / intervalMs, stretched: needed > requestedIntervalMs};
}
