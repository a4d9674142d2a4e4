import type {Governor} from '../model/snapshot.js';

/**
 * The overhead governor: every poll forces a full GC in the target, and its cost grows with the heap, so the
 * time between polls stretches until the share of the target's time spent in polls stays under a budget.
 * A small allowance of pause time (a token bucket, refilled at the budget's rate) lets the first polls come at
 * the requested interval, so the table fills within seconds of attaching instead of after one stretched
 * interval; a big heap spends it on its first poll and is governed from then on.
 */

const smoothing = 0.3;
/** The allowance: at most this much pause beyond the budget's share, over a whole session. */
export const allowanceMs = 150;

/** The next interval after a poll that took `pollMs`, given the interval asked for and the overhead budget (0..1). */
export function govern(previous: Governor | undefined, pollMs: number, requestedIntervalMs: number, maxOverhead: number): Governor {
	const smoothed = previous === undefined ? pollMs : (smoothing * pollMs) + ((1 - smoothing) * previous.pollMs);
	// A single slow poll must stretch at once; the smoothed value lets the interval relax slowly afterwards.
	const cost = Math.max(smoothed, pollMs);
	// Earned at the budget's rate while waiting, spent by the poll; never a debt: the first poll of a big heap
	// pays for the whole heap at once and is not paid back by starving the next ones.
	const earned = previous === undefined ? allowanceMs : Math.min(allowanceMs, previous.creditMs + (previous.intervalMs * maxOverhead));
	const creditMs = Math.max(0, earned - pollMs);
	const governed = cost / maxOverhead;
	const needed = Math.max(0, cost - creditMs) / maxOverhead;
	const intervalMs = Math.max(requestedIntervalMs, needed);
	return {
		lastPollMs: pollMs, pollMs: smoothed, intervalMs, overhead: cost / intervalMs, stretched: needed > requestedIntervalMs,
		creditMs, burst: intervalMs < governed,
	};
}
