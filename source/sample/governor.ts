import {pausedBetween, type Pause} from '../model/pause-ledger.js';
import type {Governor} from '../model/snapshot.js';

/**
 * The overhead governor: every poll forces a full GC in the target, and its cost grows with the heap, so the
 * time between polls stretches until the share of the target's time spent in polls stays under the budget
 * over any stretch of time after the first poll. No allowance lets polls come faster than their cost allows:
 * the heap's figures come once a second between polls and survivor age judges from one profile, so the view
 * no longer needs a burst of polls at start-up to fill, and a burst is what took a minute over the budget.
 */

const smoothing = 0.3;
/** The stretch of time the budget holds over: any minute after the first poll (see admitted for dear polls). */
const windowMs = 60_000;
/** A heap whose polls cost more each time is paced for the next one, up to this many times the last. */
const maxRise = 2;

/** The next interval after a poll that took `pollMs`, given the interval asked for and the overhead budget (0..1). */
export function govern(previous: Governor | undefined, pollMs: number, requestedIntervalMs: number, maxOverhead: number): Governor {
	const smoothed = previous === undefined ? pollMs : (smoothing * pollMs) + ((1 - smoothing) * previous.pollMs);
	// A single slow poll must stretch at once; the smoothed value lets the interval relax slowly afterwards.
	// A growing heap's next polls cost more than this one, as far as the last rise says: pace for the dearest
	// of those a minute will hold, at most twice this one (a millisecond's jitter on a tiny poll is no trend).
	const rise = previous === undefined ? 1 : Math.max(1, pollMs / Math.max(1, previous.lastPollMs));
	const now = Math.max(smoothed, pollMs);
	const ahead = Math.min(10, Math.max(1, Math.floor((maxOverhead * windowMs) / now)));
	const cost = now * Math.min(maxRise, rise ** ahead);
	// cost / budget apart is the budget on average; a minute then still holds one poll too many when the minute
	// begins at one: space them so the polls a minute can hold fit its budget whole. A poll dearer than a
	// minute's budget (a heap of a few hundred MB at 0.5%) can only be held to it over its own, longer interval.
	const perWindow = Math.floor((maxOverhead * windowMs) / cost);
	const needed = Math.max(cost / maxOverhead, perWindow >= 1 ? windowMs / perWindow : 0);
	const intervalMs = Math.max(requestedIntervalMs, needed);
	return {lastPollMs: pollMs, pollMs: smoothed, intervalMs, overhead: cost / intervalMs, stretched: needed > requestedIntervalMs};
}

/**
 * Room kept in each minute for a poll dearer than foreseen: a heap that spikes between two polls makes the next
 * one cost more than any estimate, and the minute that holds it must still be within the budget.
 */
const headroom = 0.9;
const tolerance = 1e-3;

/**
 * The plan above spaces polls by their expected cost; this holds the budget as measured. It returns the earliest
 * time from `due` at which a poll expected to take `cost` leaves the stretch that ends with it within the budget,
 * given the pauses of the polls before it (in time order, the first poll's left out): when the last minute's
 * polls cost more than planned, the next waits until enough of them have left it. That stretch is a minute, or,
 * for a poll dearer than a minute's budget (a large heap's GC, which no spacing keeps out of its minute), the
 * poll's own interval at the budget: then no earlier poll may end within it.
 */
export function admitted(pauses: readonly Pause[], due: number, cost: number, maxOverhead: number): number {
	const span = Math.max(windowMs, cost / (headroom * maxOverhead));
	// Within a microsecond: a pause that ends where the stretch begins is out of it, whatever the rounding said.
	const cap = (headroom * maxOverhead * span) + tolerance;
	let start = due;
	for (;;) {
		const from = start + cost - span;
		const paused = pausedBetween(pauses, from, start);
		const oldest = pauses.find(pause => pause.end > from + tolerance);
		if (paused + cost <= cap || oldest === undefined) {
			return start;
		}

		// When the oldest pause still in that stretch has left it.
		start = oldest.end + span - cost;
	}
}

/** What the heap read while waiting may stretch a wait to, at most, as a multiple of the interval judged at its start. */
const maxStretch = 2;

/**
 * The latest a wait judged to end at `judged` (after a poll that started at `start` and ended at `end`) may be
 * stretched to by what the heap does meanwhile: twice its length, for a dear poll's stretch grows with the heap
 * and a fast-growing heap would never be admitted; never before a minute after that poll, within which admitted()
 * bounds the wait itself.
 */
export function latestDue(start: number, end: number, judged: number): number {
	return Math.max(start + (maxStretch * (judged - start)), end + windowMs);
}

/** How much dearer than foreseen a poll came out (its pause ÷ the cost foreseen for it), and when. */
export type Surprise = {readonly at: number; readonly ratio: number};

/** Surprises older than this no longer hold polls back: a heap that calmed down polls at its plan again. */
export const surpriseMemoryMs = 600_000;
/** One wild round trip (leaktop's own thread held up) may not stop polls for the whole memory. */
const maxReserve = 3;

/**
 * The factor the next poll's foreseen cost is raised by before admitted() judges it: the largest recent surprise.
 * A spiky heap's next poll may cost as much more than foreseen as a recent one did, and the stretch that holds it
 * must still be within the budget; a spiky target polls less often for it.
 */
export function reserveFor(surprises: readonly Surprise[], now: number): number {
	// The newest counts until the next poll: a dear poll's wait can outlast the memory, and must not end early for it.
	const recent = surprises.filter((surprise, index) => surprise.at > now - surpriseMemoryMs || index === surprises.length - 1);
	return Math.min(maxReserve, Math.max(1, ...recent.map(surprise => surprise.ratio)));
}

/** Each isolate keeps this share of an equal split whatever its heap: a small one is still polled. */
const equalFloor = 0.2;

/**
 * An isolate's share of its process's budget: in proportion to its heap, a fifth of an equal share at least. A
 * poll's cost is a full GC of the isolate's heap, so each isolate then polls about as often, and a leaking worker
 * whose heap grew is not polled a tenth as often as an idle main thread. An isolate whose heap is not read yet
 * weighs as the mean of the others.
 */
export function budgetShare(heaps: ReadonlyMap<string, number>, id: string, isolates: number): number {
	const equal = 1 / Math.max(1, isolates);
	const known = [...heaps.values()];
	const knownTotal = known.reduce((total, heap) => total + heap, 0);
	if (known.length === 0 || knownTotal <= 0) {
		return equal;
	}

	const mean = knownTotal / known.length;
	const total = knownTotal + (Math.max(0, isolates - known.length) * mean);
	return (equalFloor * equal) + ((1 - equalFloor) * (heaps.get(id) ?? mean) / total);
}
