/**
 * The share of the target's time leaktop held it paused, as the user reads the budget: over any minute after
 * the first poll (the first pays for the whole heap before anything can govern it). The governor plans polls
 * to keep it under --max-overhead; this measures what the polls really cost, so the header and the report can
 * show that the plan held. Its pauses are on the snapshots' clock (ms since the epoch).
 */

import {pausedBetween, startOf, withPause, type Pause} from './pause-ledger.js';

export const minuteMs = 60_000;

export type PauseShare = {
	/** When the first poll ended: the earliest start of a governed minute. */
	readonly since: number;
	/** The pauses since then that a minute not yet over can still reach. */
	readonly recent: readonly Pause[];
	/** The highest share of a minute spent paused, over every minute starting at `since` or at a pause. */
	readonly worstMinute: number;
	/**
	 * The dearest pause. Once one costs more than a minute's budget (a large heap's forced GC), no minute that
	 * holds it can be within the budget: the governor can hold it only over the span between two polls.
	 */
	readonly longestMs: number;
};

export function startPauseShare(firstPollEnd: number): PauseShare {
	return {since: firstPollEnd, recent: [], worstMinute: 0, longestMs: 0};
}

/** The share after one more pause: only minutes that reach it can have grown, so only those are summed again. */
export function addPause(share: PauseShare, pause: Pause): PauseShare {
	const reach = startOf(pause) - minuteMs;
	const recent = withPause(share.recent, pause, reach);
	let {worstMinute} = share;
	for (const from of [share.since, ...recent.map(startOf)]) {
		if (from >= reach && from <= pause.end) {
			worstMinute = Math.max(worstMinute, pausedBetween(recent, from, from + minuteMs) / minuteMs);
		}
	}

	return {since: share.since, recent, worstMinute, longestMs: Math.max(share.longestMs, pause.ms)};
}

/**
 * The share of the last minute spent paused, or of the time since the first poll while that is shorter: the
 * rate the polls take now, as the header shows it.
 */
export function lastMinute(share: PauseShare, now: number): number {
	const span = Math.min(minuteMs, now - share.since);
	return span <= 0 ? 0 : pausedBetween(share.recent, now - span, now) / span;
}
