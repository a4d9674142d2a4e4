import {AgeCounts, countAges, SampledNodes} from './age-counts.js';
import {FrameTable} from './frame-table.js';
import type {CallFrame, SiteIdentity} from './identity.js';

/** The shape of V8's sampling heap profile as CDP returns it (HeapProfiler.SamplingHeapProfile). */
export type ProfileNode = {
	readonly callFrame: CallFrame;
	readonly selfSize: number;
	readonly id: number;
	readonly children: readonly ProfileNode[];
};

export type ProfileSample = {readonly size: number; readonly nodeId: number; readonly ordinal: number};

export type SamplingProfile = {readonly head: ProfileNode; readonly samples: readonly ProfileSample[]};

export type Site = SiteIdentity & {
	/** Scaled estimate of the bytes this site's allocations still hold. */
	readonly liveBytes: number;
	readonly samples: number;
	/**
	 * The live bytes and samples by when they were allocated, in the bands of `AgeBins` (oldest first), and the
	 * bytes allocated in each of its recent windows: what survivor age is judged from. Absent when not asked for.
	 */
	readonly ageBytes?: readonly number[];
	readonly ageSamples?: readonly number[];
	readonly recentBytes?: readonly number[];
	/** The largest sample alive, in bytes as CDP gives it (see AgeCounts.largest): with the ages. */
	readonly largestSurvivor?: number;
};

/** A window of the newest allocations, from ordinal `from` (exclusive) on; `start` is that point in wall time. */
export type RecentWindow = {readonly from: number; readonly start: number};

/**
 * How to count survivors by allocation time, in the allocation clock's units (sample ordinals): band `i` holds
 * ordinals in [edges[i], edges[i + 1]), and each recent window's survivors are summed apart. `times` are the
 * same edges in wall time: kept with the aggregate, so it is judged by the clock it was counted with.
 */
export type AgeBins = {readonly edges: readonly number[]; readonly times: readonly number[]; readonly recent: readonly RecentWindow[]};

export type Aggregate = {
	/** Sorted by live bytes, heaviest first. */
	readonly sites: readonly Site[];
	readonly totalBytes: number;
	readonly totalSamples: number;
	/** Highest sample ordinal seen: counts every sampled allocation since sampling started, freed or not. */
	readonly maxOrdinal: number;
	/** The bands its sites' survivors were counted in, when asked. */
	readonly ages?: AgeBins;
	readonly nodeCount: number;
};

/**
 * What a poll sums per site (bytes, samples), by site index, for both groupings: flat arrays grown as sites are
 * met, not an object per site.
 */
class SiteSums {
	siteBytes = new Float64Array(0);
	siteSamples = new Float64Array(0);
	userBytes = new Float64Array(0);
	userSamples = new Float64Array(0);

	constructor(sites: number) {
		this.grow(sites);
	}

	/** Room for site `index`. */
	reach(index: number): void {
		if (index >= this.siteBytes.length) {
			this.grow(Math.max(index + 1, this.siteBytes.length * 2));
		}
	}

	private grow(length: number): void {
		const grown = (values: Float64Array) => {
			const longer = new Float64Array(length);
			longer.set(values);
			return longer;
		};

		this.siteBytes = grown(this.siteBytes);
		this.siteSamples = grown(this.siteSamples);
		this.userBytes = grown(this.userBytes);
		this.userSamples = grown(this.userSamples);
	}
}

/** site: each function as V8 reports it; user: builtins and Node internals counted in the nearest user frame. */
export type Grouping = 'site' | 'user';

function maxNodeId(samples: readonly ProfileSample[]): number {
	let maxId = 0;
	for (const {nodeId} of samples) {
		maxId = Math.max(maxId, nodeId);
	}

	return maxId;
}

/**
 * Live samples per node id. V8 numbers nodes densely from 1, so an array indexed by id serves where it fits;
 * a map elsewhere. A lookup per node: read as `dense[id]` in the walk, no call (npm run bench).
 */
class SampleCounts {
	readonly dense: Uint32Array;
	private readonly sparse: Map<number, number> | undefined;

	constructor(samples: readonly ProfileSample[], maxId: number) {
		const fits = maxId <= 16 * (samples.length + 1024);
		this.dense = new Uint32Array(fits ? maxId + 1 : 0);
		this.sparse = fits ? undefined : new Map();
		for (let index = 0; index < samples.length; index++) {
			const {nodeId} = samples[index]!;
			if (this.sparse === undefined) {
				this.dense[nodeId]!++;
			} else {
				this.sparse.set(nodeId, (this.sparse.get(nodeId) ?? 0) + 1);
			}
		}
	}

	of(nodeId: number): number {
		return this.sparse === undefined ? (nodeId < this.dense.length ? this.dense[nodeId]! : 0) : this.sparse.get(nodeId) ?? 0;
	}
}

/** The highest sample ordinal of a profile: how far its allocation clock has run. */
export function maxOrdinalOf(profile: SamplingProfile): number {
	let max = 0;
	for (const sample of profile.samples) {
		if (sample.ordinal > max) {
			max = sample.ordinal;
		}
	}

	return max;
}

function sitesOf(identities: readonly SiteIdentity[], bytesOf: Float64Array, samplesOf: Float64Array, ages: AgeBins | undefined, counts: AgeCounts | undefined): Site[] {
	const sites: Site[] = [];
	const noAges = ages === undefined ? undefined : Array.from({length: ages.edges.length - 1}, () => 0);
	const noneRecent = ages?.recent.map(() => 0);
	for (let index = 0; index < identities.length; index++) {
		const liveBytes = bytesOf[index]!;
		const samples = samplesOf[index]!;
		if (liveBytes > 0 || samples > 0) {
			// Spelled out: an object spread here cost more than the whole walk of a 100k-node profile.
			const {key, functionName, url, line, column, kind} = identities[index]!;
			if (ages === undefined || counts === undefined) {
				sites.push({key, functionName, url, line, column, kind, liveBytes, samples});
				continue;
			}

			sites.push(samples > 0
				? {key, functionName, url, line, column, kind, liveBytes, samples, ageBytes: counts.bytesOf(index), ageSamples: counts.samplesOf(index), recentBytes: counts.recentOf(index), largestSurvivor: counts.largest[index]!}
				: {key, functionName, url, line, column, kind, liveBytes, samples, ageBytes: noAges, ageSamples: noAges, recentBytes: noneRecent, largestSurvivor: 0});
		}
	}

	return sites.sort((a, b) => b.liveBytes - a.liveBytes);
}

/**
 * Folds a sampling profile into allocation sites, by both groupings in one walk (the model keeps both): the
 * self sizes of every node whose frame is the same function, with the number of live samples taken in it. Sites
 * are keyed by call frame, resolved through `frames` (a target keeps its table for the session, so a poll resolves
 * only the nodes it has not met). Walks iteratively because stacks can be deeper than the JS call stack allows.
 */
export function aggregateGroupings(profile: SamplingProfile, ages?: AgeBins, frames = new FrameTable()): Record<Grouping, Aggregate> {
	const sums = new SiteSums(frames.sites.length);
	const maxId = maxNodeId(profile.samples);
	const sampleCounts = new SampleCounts(profile.samples, maxId);
	const maxOrdinal = maxOrdinalOf(profile);

	const stack: ProfileNode[] = [profile.head];
	const sampled = ages === undefined ? undefined : new SampledNodes(maxId, profile.samples.length);
	// Grouping by user frame: the nearest ancestor-or-self with the user's (or a dependency's) code owns a node.
	const owners: number[] = [-1];
	let nodeCount = 0;
	let totalBytes = 0;
	while (stack.length > 0) {
		const node = stack.pop()!;
		const inherited = owners.pop()!;
		nodeCount++;
		const frame = frames.frameOf(node.id, node.callFrame);
		const site = frames.siteOf(frame);
		const owner = frames.isUserCode(frame) ? site : inherited;
		for (const child of node.children) {
			stack.push(child);
			owners.push(owner);
		}

		const user = owner >= 0 ? owner : site;
		sums.reach(site);
		const {selfSize} = node;
		sums.siteBytes[site]! += selfSize;
		sums.userBytes[user]! += selfSize;
		totalBytes += selfSize;
		const samples = sampleCounts.of(node.id);
		sums.siteSamples[site]! += samples;
		sums.userSamples[user]! += samples;
		if (samples > 0) {
			sampled?.add(node.id, site, user, selfSize);
		}
	}

	let counts: Record<Grouping, AgeCounts> | undefined;
	if (ages !== undefined && sampled !== undefined) {
		const bands = ages.edges.length - 1;
		const sites = frames.sites.length;
		counts = {site: new AgeCounts(sites, bands, ages.recent.length), user: new AgeCounts(sites, bands, ages.recent.length)};
		countAges(profile.samples, sampled, ages, counts);
	}

	const totals = {totalBytes, totalSamples: profile.samples.length, maxOrdinal, nodeCount, ages};
	return {
		site: {sites: sitesOf(frames.sites, sums.siteBytes, sums.siteSamples, ages, counts?.site), ...totals},
		user: {sites: sitesOf(frames.sites, sums.userBytes, sums.userSamples, ages, counts?.user), ...totals},
	};
}

/** One grouping of `aggregateGroupings`. */
export function aggregateProfile(profile: SamplingProfile, grouping: Grouping = 'site', ages?: AgeBins): Aggregate {
	return aggregateGroupings(profile, ages)[grouping];
}

/**
 * The aggregate with every byte figure multiplied by `factor`: turns bytes allocated over an interval into bytes
 * per second, so that snapshots of intervals the governor stretched weigh the same as the others.
 */
export function scaleAggregate(aggregate: Aggregate, factor: number): Aggregate {
	return {
		...aggregate,
		sites: aggregate.sites.map(site => ({...site, liveBytes: site.liveBytes * factor})),
		totalBytes: aggregate.totalBytes * factor,
	};
}

/**
 * Gives frames of unloaded code, or frames whose URL a profile dropped, the URL their script had when last seen:
 * `scripts` (script id to URL) lives as long as the session and learns from every profile. Builtins (script 0)
 * have no URL to find. Returns the profile itself when no frame lacks a URL it could have (the usual case),
 * else a copy: the profile received is never changed.
 */
export function withUrls(profile: SamplingProfile, scripts: Map<string, string>): SamplingProfile {
	let missing = false;
	const stack: ProfileNode[] = [profile.head];
	while (stack.length > 0) {
		const node = stack.pop()!;
		const frame = node.callFrame;
		if (frame.url !== '') {
			scripts.set(frame.scriptId, frame.url);
		} else if (frame.scriptId !== '0') {
			missing = true;
		}

		for (const child of node.children) {
			stack.push(child);
		}
	}

	if (!missing) {
		return profile;
	}

	const fill = (node: ProfileNode): ProfileNode => {
		const frame = node.callFrame;
		const url = frame.url === '' && frame.scriptId !== '0' ? scripts.get(frame.scriptId) ?? '' : frame.url;
		return {...node, callFrame: url === frame.url ? frame : {...frame, url}, children: node.children.map(child => fill(child))};
	};

	return {...profile, head: fill(profile.head)};
}
