/**
 * The default sampling interval adapts once, early, to how fast the target allocates: V8 takes a
 * stack trace per sample, ~2–5 µs of the target's main thread each (npm run bench, "one sample's cost"), so a
 * busy server sampled every 128 KiB (4,000 samples/s at 500 MB/s) pays 1–2% of its time for the sampler alone.
 * Bounded to this many samples a second, the sampler stays near half a percent of its time; a quieter target
 * keeps 128 KiB and the finer verdict it gives (16 samples, the least survivor age judges, are ~2 MB there).
 * The rate is read from the first profile that holds samples and covers a second of sampling: its newest
 * survivor's ordinal counts the samples taken since the sampler started. A server keeps its requests in flight, so its newest survivor is a few ms old; a target
 * that keeps nothing it allocates reads as slower than it is, and keeps 128 KiB.
 */
export const maxSamplesPerSecond = 1000;
/** At 4 MiB a site needs ~64 MB for a verdict: coarser would leave a real leak unjudged for too long. */
export const maxAdaptedInterval = 4 * 1024 * 1024;

/** The interval (a power of two times `interval`) that keeps `samplesPerSecond`, measured at `interval`, within the bound. */
export function adaptedInterval(interval: number, samplesPerSecond: number): number {
	let adapted = interval;
	while (adapted < maxAdaptedInterval && (samplesPerSecond * interval) / adapted > maxSamplesPerSecond) {
		adapted *= 2;
	}

	return adapted;
}
