import type {SamplingProfile} from './profile.js';
import type {Metric} from './snapshot.js';

/** A snapshot's profile kept for what it held at a peak. */
export type PeakProfile = {readonly time: number; readonly weight: number; readonly profile: SamplingProfile};

/**
 * The profiles of the snapshots that are each the heaviest of some window ending now: a spike the comparison
 * points at is usually gone from the latest profile, and its call paths are only in the profile taken at it.
 * Kept as the sliding-window maximum keeps them (each one heavier than every later one), at most `limit`: over
 * it, the entry nearest in weight to the next one goes, as that one stands for its windows almost as well.
 */
export class PeakProfiles {
	private kept: PeakProfile[] = [];
	private metric: Metric | undefined;

	constructor(private readonly limit = 4) {}

	add(peak: PeakProfile, metric: Metric): void {
		if (metric !== this.metric) {
			this.kept = [];
			this.metric = metric;
		}

		while (this.kept.length > 0 && this.kept.at(-1)!.weight <= peak.weight) {
			this.kept.pop();
		}

		this.kept.push(peak);
		if (this.kept.length > this.limit) {
			// The oldest is the heaviest of all; the newest the only one of the shortest windows.
			let dropped = 1;
			for (let index = 2; index < this.kept.length - 1; index++) {
				if (this.gap(index) < this.gap(dropped)) {
					dropped = index;
				}
			}

			this.kept.splice(dropped, 1);
		}
	}

	/** The heaviest kept snapshot taken at or after `since`: the peak of a window that starts then. */
	heaviestSince(since: number): PeakProfile | undefined {
		return this.kept.find(peak => peak.time >= since);
	}

	/** The kept snapshot taken at `time`. */
	at(time: number): PeakProfile | undefined {
		return this.kept.find(peak => peak.time === time);
	}

	private gap(index: number): number {
		return this.kept[index]!.weight / Math.max(1, this.kept[index + 1]!.weight);
	}
}
