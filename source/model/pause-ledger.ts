/**
 * The ledger of poll pauses both sides of the event stream keep: the sampler, to let the next poll go only when the
 * stretch that ends with it stays within the budget (sample/governor.ts), and the model, to show what the polls
 * took of each minute (pause-share.ts). Each keeps it on its own clock; the arithmetic is this one.
 */

/** One poll's pause: `ms` long, ending at `end`. */
export type Pause = {readonly end: number; readonly ms: number};

export const startOf = (pause: Pause) => pause.end - pause.ms;

/** Paused time inside [from, to): a pause counts only as far as it overlaps. */
export function pausedBetween(pauses: readonly Pause[], from: number, to: number): number {
	let paused = 0;
	for (const pause of pauses) {
		paused += Math.max(0, Math.min(pause.end, to) - Math.max(startOf(pause), from));
	}

	return paused;
}

/** The pauses a stretch from `reach` on can still meet, with `pause` added: the ledger after one more poll. */
export function withPause(pauses: readonly Pause[], pause: Pause, reach: number): Pause[] {
	return [...pauses.filter(earlier => earlier.end > reach), pause];
}
