import type {AgeBins, Site} from '../profile.js';
import {addingForLeak, minimumAgeSamples, recentShareForLeak, survivorAge} from './survivor-age.js';

/**
 * A leak that began late in a long session holds survivors only in the newest bands, like a bounded cache, so one
 * profile cannot tell them apart. What does is the next profiles: a bounded cache or a session store lets go of
 * what it held when first seen once its span has passed; a leak keeps all of it and keeps adding. A site is
 * watched from the first profile where it adds without reading `leaking`: what it held then (its bytes up to that
 * profile's newest ordinal) is looked for again once as much time has passed as those survivors spanned then (10 s
 * at least). Kept (three quarters at least) while the site grew by a quarter and still adds: a late leak. Let go:
 * watched afresh from there.
 */

type Watch = {readonly time: number; readonly ordinal: number; readonly bytes: number; readonly span: number};

const keptForLeak = 0.75;
const grownForLeak = 1.25;
const shortestWaitMs = 10_000;

/** Bytes of the bands allocated up to `ordinal`: the bands wholly before it, and the band it falls in pro rata. */
function bytesUpTo(bands: readonly number[], edges: readonly number[], ordinal: number): number {
	let total = 0;
	for (const [band, bytes] of bands.entries()) {
		const from = edges[band]!;
		const to = edges[band + 1]!;
		if (to <= ordinal) {
			total += bytes;
		} else if (from < ordinal) {
			total += bytes * ((ordinal - from) / Math.max(1, to - from));
		}
	}

	return total;
}

export class LateLeaks {
	private readonly watches = new Map<string, Watch>();
	private found: ReadonlySet<string> = new Set();

	/** Keys of the sites judged late leaks at the latest profile. */
	get leaking(): ReadonlySet<string> {
		return this.found;
	}

	/** The sampler restarted: the allocation clock, and every watch on it, start again. */
	restart(): void {
		this.watches.clear();
		this.found = new Set();
	}

	/** Judges the sites of a retained profile counted in `bins` at `time`. */
	update(time: number, sites: readonly Site[], bins: AgeBins): void {
		const found = new Set<string>();
		const seen = new Set<string>();
		const bandMs = (bins.times.at(-1)! - bins.times[0]!) / Math.max(1, bins.times.length - 1);
		for (const site of sites) {
			if (site.ageBytes === undefined || site.ageSamples === undefined || site.samples < minimumAgeSamples) {
				continue;
			}

			seen.add(site.key);
			const age = survivorAge(site.ageBytes, site.ageSamples, site.recentBytes ?? [], bins);
			const adding = age.recentShare >= recentShareForLeak && age.adding >= addingForLeak;
			const watch = this.watches.get(site.key);
			if (age.verdict === 'leaking' || !adding) {
				this.watches.delete(site.key);
				continue;
			}

			if (watch !== undefined && time - watch.time < Math.max(watch.span, shortestWaitMs, bandMs)) {
				continue;
			}

			const total = age.bands.reduce((sum, bytes) => sum + bytes, 0);
			if (watch !== undefined && bytesUpTo(age.bands, bins.edges, watch.ordinal) >= keptForLeak * watch.bytes && total >= grownForLeak * watch.bytes) {
				found.add(site.key);
				continue;
			}

			const oldest = site.ageSamples.findIndex(count => count > 0);
			this.watches.set(site.key, {time, ordinal: bins.edges.at(-1)!, bytes: total, span: time - bins.times[Math.max(0, oldest)]!});
		}

		for (const key of this.watches.keys()) {
			if (!seen.has(key)) {
				this.watches.delete(key);
			}
		}

		this.found = found;
	}
}
