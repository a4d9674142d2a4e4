import type {AgeClock} from './analyses/survivor-age.js';

/**
 * Appends to a series kept in bounded memory: past `max` readings it keeps every other one (and the newest),
 * so it keeps its shape over any length of time at a coarser grain.
 */
export function pushThinned<Reading>(readings: Reading[], reading: Reading, max = 2048): void {
	readings.push(reading);
	if (readings.length > max) {
		const thinned = readings.filter((_, index) => index % 2 === 0 || index === readings.length - 1);
		readings.splice(0, readings.length, ...thinned);
	}
}

/**
 * A target's allocation clock (see AgeClock), kept by the model as polls and heap readings arrive. Like the
 * histories, it grows in place; it starts again when the sampler does, since its ordinals start again there.
 */
export class AllocationClock implements AgeClock {
	readonly polls: Array<{time: number; ordinal: number}> = [];
	readonly growth: Array<{time: number; bytes: number}> = [];
	private lastUsed: number | undefined;

	/** Starts the clock again at `time` (the sampler restarted, or the target did). */
	restart(time: number): void {
		this.polls.splice(0, this.polls.length, {time, ordinal: 0});
		this.growth.length = 0;
		this.lastUsed = undefined;
	}

	/**
	 * A retained poll: its time and highest ordinal, and when the sampler started, when known. Unknown (a shared
	 * sampler, which may have run for hours; an older recording), the clock starts at its first poll: older
	 * survivors all count in the oldest band, and the verdict waits for a second poll.
	 */
	poll(time: number, maxOrdinal: number, startedAt: number | undefined): void {
		const start = this.polls[0];
		if (start === undefined || (startedAt !== undefined && startedAt !== start.time)) {
			if (startedAt === undefined) {
				this.restart(time);
				this.polls[0]!.ordinal = maxOrdinal;
				return;
			}

			this.restart(startedAt);
		}

		// The highest surviving ordinal falls when the newest survivors die; the clock itself never runs back.
		pushThinned(this.polls, {time, ordinal: Math.max(maxOrdinal, this.polls.at(-1)!.ordinal)});
	}

	/** A reading of the heap's used size: its rises add up to the growth series, its falls (GC) do not count. */
	heap(time: number, used: number): void {
		if (this.polls.length === 0) {
			return;
		}

		const grown = this.growth.at(-1)?.bytes ?? 0;
		pushThinned(this.growth, {time, bytes: grown + Math.max(0, used - (this.lastUsed ?? used))});
		this.lastUsed = used;
	}
}
