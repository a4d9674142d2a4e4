/** A live sample of the profile (HeapProfiler.SamplingHeapSample). */
type Sample = {readonly size: number; readonly nodeId: number; readonly ordinal: number};

/** The bands of allocation time and the recent windows (profile.ts's AgeBins), as counting reads them. */
type Bands = {readonly edges: readonly number[]; readonly recent: ReadonlyArray<{readonly from: number}>};

/** The band of an ordinal: the last edge at or below it (edges ascend; few, so a scan). */
function bandOf(edges: readonly number[], ordinal: number): number {
	let band = 0;
	while (band < edges.length - 2 && ordinal >= edges[band + 1]!) {
		band++;
	}

	return band;
}

/**
 * The sampled nodes of a profile, numbered densely as the walk meets them, with what their samples hold; node
 * ids index an array where V8 numbers them densely (as it does), a map elsewhere. Age counting looks a node up
 * per sample, and a map lookup per sample cost more than the whole walk (npm run bench).
 */
export class SampledNodes {
	/** Per slot, the index of the node's site and of its user frame's. */
	readonly sites: Int32Array;
	readonly users: Int32Array;
	/** No more sampled nodes than samples: sized once. */
	readonly selfSizes: Float64Array;
	count = 0;
	private readonly dense: Int32Array | undefined;
	private readonly sparse = new Map<number, number>();

	constructor(maxId: number, samples: number) {
		this.dense = maxId <= 16 * (samples + 1024) ? new Int32Array(maxId + 1).fill(-1) : undefined;
		this.sites = new Int32Array(samples);
		this.users = new Int32Array(samples);
		this.selfSizes = new Float64Array(samples);
	}

	add(nodeId: number, site: number, user: number, selfSize: number): void {
		const slot = this.count++;
		this.sites[slot] = site;
		this.users[slot] = user;
		this.selfSizes[slot] = selfSize;
		if (this.dense === undefined) {
			this.sparse.set(nodeId, slot);
		} else {
			this.dense[nodeId] = slot;
		}
	}

	slot(nodeId: number): number {
		return this.dense === undefined ? this.sparse.get(nodeId) ?? -1 : (nodeId < this.dense.length ? this.dense[nodeId]! : -1);
	}
}

/**
 * Survivors by band and recent window for every site of a grouping, in flat arrays indexed by the site's
 * index: a few arrays per profile instead of three per site, filled by index (npm run bench).
 */
export class AgeCounts {
	readonly bytes: Float64Array;
	readonly samples: Float64Array;
	readonly recent: Float64Array;
	/**
	 * Per site, the largest sample alive as CDP gives it: an object's size times V8's scaled count, about the
	 * sampling interval for a small object and the object's own size for a large one.
	 */
	readonly largest: Float64Array;

	constructor(sites: number, readonly bands: number, readonly windows: number) {
		this.bytes = new Float64Array(sites * bands);
		this.samples = new Float64Array(sites * bands);
		this.recent = new Float64Array(sites * windows);
		this.largest = new Float64Array(sites);
	}

	/**
	 * A sample of `bytes` (of an object of `size`) at `ordinal`, in `band`, of the site at `index`; `froms`: where
	 * each recent window starts.
	 */
	add(index: number, band: number, bytes: number, size: number, ordinal: number, froms: Float64Array): void {
		const at = (index * this.bands) + band;
		this.bytes[at]! += bytes;
		this.samples[at]!++;
		if (size > this.largest[index]!) {
			this.largest[index] = size;
		}

		for (let window = 0; window < this.windows; window++) {
			if (ordinal > froms[window]!) {
				this.recent[(index * this.windows) + window]! += bytes;
			}
		}
	}

	/** One site's counts as the plain arrays a Site carries (and a report writes): its bytes by band, */
	bytesOf(index: number): number[] {
		return plain(this.bytes, index * this.bands, this.bands);
	}

	/** its samples by band, */
	samplesOf(index: number): number[] {
		return plain(this.samples, index * this.bands, this.bands);
	}

	/** and its bytes in each recent window. */
	recentOf(index: number): number[] {
		return plain(this.recent, index * this.windows, this.windows);
	}
}

function plain(values: Float64Array, start: number, length: number): number[] {
	const result = new Array<number>(length);
	for (let index = 0; index < length; index++) {
		result[index] = values[start + index]!;
	}

	return result;
}

/**
 * Counts every live sample in its site's (and its user frame's) band of allocation time. A node's self size is
 * V8's scaled estimate of what its samples hold; it is shared among them by their sizes (exact when they are
 * alike, as one site's allocations mostly are), so the bands of a site add up to its live bytes.
 */
export function countAges(samples: readonly Sample[], sampled: SampledNodes, bins: Bands, counts: {readonly site: AgeCounts; readonly user: AgeCounts}): void {
	const slots = new Int32Array(samples.length);
	const sizeSums = new Float64Array(sampled.count);
	// Index loops: an iterator of [index, sample] pairs cost more than the counting itself (npm run bench).
	for (let index = 0; index < samples.length; index++) {
		const {nodeId, size} = samples[index]!;
		const slot = sampled.slot(nodeId);
		slots[index] = slot;
		if (slot >= 0) {
			sizeSums[slot]! += size;
		}
	}

	const froms = Float64Array.from(bins.recent, window => window.from);
	for (let index = 0; index < samples.length; index++) {
		const slot = slots[index]!;
		if (slot < 0) {
			continue;
		}

		const {size, ordinal} = samples[index]!;
		const sizeSum = sizeSums[slot]!;
		const bytes = sizeSum > 0 ? (sampled.selfSizes[slot]! * size) / sizeSum : 0;
		const band = bandOf(bins.edges, ordinal);
		counts.site.add(sampled.sites[slot]!, band, bytes, size, ordinal, froms);
		counts.user.add(sampled.users[slot]!, band, bytes, size, ordinal, froms);
	}
}

