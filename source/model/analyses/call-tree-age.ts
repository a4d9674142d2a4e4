import {profileIndex, type ProfileIndex} from '../call-paths.js';
import {hasUserCode, type SiteIdentity} from '../identity.js';
import type {AgeBins, SamplingProfile} from '../profile.js';
import {addingForLeak, minimumAgeSamples, occupiedForLeak, survivorAge, timeOfOrdinal, type SurvivorAge} from './survivor-age.js';

/**
 * Survivor age judged on the call tree. V8's sampling heap profiler charges an allocation to the physical frame
 * that made it: once TurboFan or Maglev inlines a hot callee into its caller, the callee's allocations are charged
 * to the caller from then on (a timer callback inlined into Node's `listOnTimeout`), and a deoptimisation moves
 * them back. A leak that moved is then two halves that each read `one-time` and `bounded`: the callee's subtree
 * holds the survivors from before the move, the caller's own frame (and the callee's callees, now called from the
 * caller) those after. Put back together, they read `leaking`. Only that shape is joined: a callee and its caller,
 * taking turns in time, never two unrelated siblings (a cache built once beside a session store is no leak).
 */

/** How a leak's allocations moved: into the caller when V8 inlined the callee, back when it deoptimised it. */
export type LeakMove = {readonly at: number; readonly to: SiteIdentity; readonly cause: 'inlined' | 'deoptimised'};

export type CallPathLeak = {
	/** The caller the leak moved into (or out of): where V8 charges some of its allocations. */
	readonly node: SiteIdentity;
	/** The callee whose allocations moved. */
	readonly callee: SiteIdentity;
	/** The frame of the user's code that names the leak: the callee when it is the user's, else the nearest such frame under it, else above. */
	readonly frame: SiteIdentity | undefined;
	/** The survivors of both halves together. */
	readonly age: SurvivorAge;
	readonly liveBytes: number;
	/** Every change of place, oldest first. */
	readonly moves: readonly LeakMove[];
};

/** Per node of the profile, its subtree's survivors by band (bytes and counts) and recent windows, and its own earliest ordinal. */
type TreeAges = {
	readonly index: ProfileIndex;
	readonly bands: number;
	readonly windows: number;
	readonly bytes: Float64Array;
	readonly counts: Float32Array;
	readonly recent: Float64Array;
	/** The node's own samples only (not its subtree's). */
	readonly selfBytes: Float64Array;
	readonly selfCounts: Float32Array;
	readonly selfRecent: Float64Array;
	readonly selfFirst: Float64Array;
	readonly firstOrdinal: Float64Array;
};

function bandOf(edges: readonly number[], ordinal: number): number {
	let band = 0;
	while (band < edges.length - 2 && ordinal >= edges[band + 1]!) {
		band++;
	}

	return band;
}

function countTree(profile: SamplingProfile, bins: AgeBins): TreeAges {
	const index = profileIndex(profile);
	const {nodes, parents} = index;
	const count = nodes.length;
	const bands = bins.edges.length - 1;
	const windows = bins.recent.length;
	let maxId = 0;
	for (const node of nodes) {
		maxId = Math.max(maxId, node.id);
	}

	const byId = new Int32Array(maxId + 1).fill(-1);
	for (const [position, node] of nodes.entries()) {
		byId[node.id] = position;
	}

	const at = (nodeId: number) => (nodeId >= 0 && nodeId <= maxId ? byId[nodeId]! : -1);
	const sizeSums = new Float64Array(count);
	for (const {nodeId, size} of profile.samples) {
		const position = at(nodeId);
		if (position >= 0) {
			sizeSums[position]! += size;
		}
	}

	const selfBytes = new Float64Array(count * bands);
	// Counts are small whole numbers: single precision holds them exactly, in half the memory.
	const selfCounts = new Float32Array(count * bands);
	const selfRecent = new Float64Array(count * windows);
	const selfFirst = new Float64Array(count).fill(Number.POSITIVE_INFINITY);
	for (const {nodeId, size, ordinal} of profile.samples) {
		const position = at(nodeId);
		if (position < 0) {
			continue;
		}

		// As the aggregate shares a node's self size among its samples: the bands add up to the live bytes.
		const bytes = sizeSums[position]! > 0 ? (nodes[position]!.selfSize * size) / sizeSums[position]! : 0;
		const band = bandOf(bins.edges, ordinal);
		selfBytes[(position * bands) + band]! += bytes;
		selfCounts[(position * bands) + band]!++;
		for (let window = 0; window < windows; window++) {
			if (ordinal > bins.recent[window]!.from) {
				selfRecent[(position * windows) + window]! += bytes;
			}
		}

		selfFirst[position] = Math.min(selfFirst[position]!, ordinal);
	}

	const bytes = selfBytes.slice();
	const counts = selfCounts.slice();
	const recent = selfRecent.slice();
	const firstOrdinal = selfFirst.slice();
	// Preorder puts every parent before its children: summing backwards adds each subtree to its parent.
	for (let position = count - 1; position > 0; position--) {
		const parent = parents[position]!;
		if (parent < 0) {
			continue;
		}

		for (let band = 0; band < bands; band++) {
			bytes[(parent * bands) + band]! += bytes[(position * bands) + band]!;
			counts[(parent * bands) + band]! += counts[(position * bands) + band]!;
		}

		for (let window = 0; window < windows; window++) {
			recent[(parent * windows) + window]! += recent[(position * windows) + window]!;
		}

		firstOrdinal[parent] = Math.min(firstOrdinal[parent]!, firstOrdinal[position]!);
	}

	return {index, bands, windows, bytes, counts, recent, selfBytes, selfCounts, selfRecent, selfFirst, firstOrdinal};
}

/** Survivors of a part of the tree, summed: band bytes, band counts and recent windows. */
type Part = {bytes: number[]; counts: number[]; recent: number[]; first: number};

function emptyPart(tree: TreeAges): Part {
	return {bytes: Array.from({length: tree.bands}, () => 0), counts: Array.from({length: tree.bands}, () => 0), recent: Array.from({length: tree.windows}, () => 0), first: Number.POSITIVE_INFINITY};
}

function addTo(part: Part, tree: TreeAges, position: number, own: boolean): void {
	const [bytes, counts, recent, first] = own ? [tree.selfBytes, tree.selfCounts, tree.selfRecent, tree.selfFirst] : [tree.bytes, tree.counts, tree.recent, tree.firstOrdinal];
	for (let band = 0; band < tree.bands; band++) {
		part.bytes[band]! += bytes[(position * tree.bands) + band]!;
		part.counts[band]! += counts[(position * tree.bands) + band]!;
	}

	for (let window = 0; window < tree.windows; window++) {
		part.recent[window]! += recent[(position * tree.windows) + window]!;
	}

	part.first = Math.min(part.first, first[position]!);
}

/**
 * What the caller holds of a moved leak at least: a stray sample there is no move. The callee may hold much less:
 * inlined a few seconds after sampling began, it keeps only its first survivors, which still say whose leak it is.
 */
const minimumMovedShare = 0.1;
const minimumCalleeShare = 0.01;
/** How far apart the two halves' bytes per band may be: a leak allocates at about one pace before and after a move. */
const paceRatio = 3;

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/**
 * Bands that hold a real part of the bytes, not a stray sample: a leak adds all along, so about a tenth of its
 * bytes sit in each band; a quarter of that is the least a band of a leak holds.
 */
function heldBands(bytes: readonly number[]): number {
	const total = sum(bytes);
	return bytes.filter(band => band >= (total / bytes.length) / 4).length;
}

/**
 * Bands between the first and the last held that hold nothing real: a leak that moved went on adding through the
 * move, where a callee that stopped (a cache built once) and a caller that began later leave a gap between them.
 */
function gapBands(bytes: readonly number[]): number {
	const floor = (sum(bytes) / bytes.length) / 4;
	const first = bytes.findIndex(band => band >= floor);
	const last = bytes.length - 1 - [...bytes].reverse().findIndex(band => band >= floor);
	return first < 0 ? 0 : bytes.slice(first, last + 1).filter(band => band < floor).length;
}

/** Bands both parts hold a real share of (a quarter at least): a moved leak is in one place at a time but for the band of each move. */
function sharedBands(one: readonly number[], other: readonly number[]): number {
	return one.filter((bytes, band) => {
		const total = bytes + other[band]!;
		return total > 0 && bytes >= total / 4 && other[band]! >= total / 4;
	}).length;
}

/** Who held each band, in order: the callee (`old`) or the caller (`new`); a change of holder is a move. */
function movesOf(callee: Part, caller: Part, bins: AgeBins, calleeSite: SiteIdentity, callerSite: SiteIdentity): LeakMove[] {
	const moves: LeakMove[] = [];
	let holder: 'callee' | 'caller' | undefined;
	let lastHeld = -1;
	for (let band = 0; band < callee.bytes.length; band++) {
		const calleeBytes = callee.bytes[band]!;
		const callerBytes = caller.bytes[band]!;
		if (calleeBytes + callerBytes <= 0) {
			continue;
		}

		const now = calleeBytes >= callerBytes ? 'callee' : 'caller';
		if (holder !== undefined && now !== holder) {
			// The first move is dated by the caller's first survivor when it falls after the callee's last band held.
			const first = now === 'caller' && moves.length === 0 ? timeOfOrdinal(bins, caller.first) : Number.NaN;
			const at = Number.isFinite(first) && first >= bins.times[lastHeld + 1]! && first <= bins.times[band + 1]! ? first : bins.times[band]!;
			moves.push({at, to: now === 'caller' ? callerSite : calleeSite, cause: now === 'caller' ? 'inlined' : 'deoptimised'});
		}

		holder = now;
		lastHeld = band;
	}

	return moves;
}

/** A node's row of one of the tree's per-band arrays, summed: its samples or bytes, its own or its subtree's. */
function bandTotal(tree: TreeAges, values: Float32Array | Float64Array, position: number): number {
	let total = 0;
	for (let band = 0; band < tree.bands; band++) {
		total += values[(position * tree.bands) + band]!;
	}

	return total;
}

/** The frame of the user's code nearest under a node: itself, else down its heaviest callees. */
function userFrameUnder(tree: TreeAges, position: number): SiteIdentity | undefined {
	const {nodes, positions, sites} = tree.index;
	let at = position;
	for (let depth = 0; depth < 256; depth++) {
		if (hasUserCode(sites[at]!.kind)) {
			return sites[at];
		}

		let heaviest = -1;
		for (const child of nodes[at]!.children) {
			const childPosition = positions.get(child)!;
			if (heaviest < 0 || bandTotal(tree, tree.bytes, childPosition) > bandTotal(tree, tree.bytes, heaviest)) {
				heaviest = childPosition;
			}
		}

		if (heaviest < 0) {
			return undefined;
		}

		at = heaviest;
	}

	return undefined;
}

/** The joined survivors of a callee and its caller, when they are one leak that moved between them. */
function joinedLeak(tree: TreeAges, bins: AgeBins, caller: number, callee: number, byKey: ReadonlyMap<string, readonly number[]>): CallPathLeak | undefined {
	const {nodes, positions, sites, parents, userNodes} = tree.index;
	const before = emptyPart(tree);
	addTo(before, tree, callee, false);
	const after = emptyPart(tree);
	addTo(after, tree, caller, true);
	// After the inlining, the callee's own callees are called from the caller: they move with it.
	for (const child of nodes[callee]!.children) {
		for (const other of byKey.get(sites[positions.get(child)!]!.key) ?? []) {
			if (other !== callee) {
				addTo(after, tree, other, false);
			}
		}
	}

	const joined = before.bytes.map((bytes, band) => bytes + after.bytes[band]!);
	const liveBytes = sum(joined);
	if (sum(after.bytes) < liveBytes * minimumMovedShare || sum(before.bytes) < liveBytes * minimumCalleeShare) {
		return undefined;
	}

	// One function's allocations go on at their pace across a move: a cache built once in a burst and a store that
	// began after it are two things, whatever their places.
	const pace = (bytes: readonly number[]) => sum(bytes) / Math.max(1, heldBands(bytes));
	if (Math.max(pace(before.bytes), pace(after.bytes)) > paceRatio * Math.min(pace(before.bytes), pace(after.bytes))) {
		return undefined;
	}

	const counts = before.counts.map((bandCount, band) => bandCount + after.counts[band]!);
	const age = survivorAge(joined, counts, before.recent.map((bytes, window) => bytes + after.recent[window]!), bins);
	const moves = movesOf(before, after, bins, sites[callee]!, sites[caller]!);
	if (age.verdict !== 'leaking' || moves.length === 0 || heldBands(joined) < occupiedForLeak || gapBands(joined) > 1 || sharedBands(before.bytes, after.bytes) > moves.length + 1) {
		return undefined;
	}

	// Where the leak is now, it alone adds: a callee that kept adding beside its caller never moved (a leak with a
	// session store in its caller is a leak beside a store). Judged by bands, which the polls' spacing does not blur.
	const left = (moves.at(-1)!.cause === 'inlined' ? before : after).bytes;
	if (left.at(-1)! >= addingForLeak * (sum(left) / Math.max(1, heldBands(left)))) {
		return undefined;
	}

	const above = parents[caller]! >= 0 ? userNodes[parents[caller]!]! : -1;
	const frame = userFrameUnder(tree, callee) ?? (hasUserCode(sites[caller]!.kind) ? sites[caller] : undefined) ?? (above >= 0 ? sites[above] : undefined);
	return {node: sites[caller]!, callee: sites[callee]!, frame, age, liveBytes, moves};
}

/**
 * The leaks that moved between a callee and its caller: a callee's subtree and its caller's own frame (with the
 * callee's callees, re-parented by the inlining) that together read `leaking`, each holding the bands the other
 * does not, without a gap, each holding a tenth at least, and only the one that holds the newest bands still
 * adding. Whether either half read `leaking` alone does not matter: a half that did is named, but its figures
 * were half the leak's. Named by the user's frame in the callee.
 */
export function callPathLeaks(profile: SamplingProfile, bins: AgeBins): CallPathLeak[] {
	const tree = countTree(profile, bins);
	const {nodes, positions} = tree.index;
	const found: CallPathLeak[] = [];
	for (let position = 0; position < nodes.length; position++) {
		const {children} = nodes[position]!;
		// A caller with too few samples under it cannot hold a leak's survivors; one that holds nothing of its own
		// took nothing over, unless a callee's callees moved to it.
		if (children.length === 0 || bandTotal(tree, tree.counts, position) < minimumAgeSamples || (bandTotal(tree, tree.selfCounts, position) === 0 && children.length < 2)) {
			continue;
		}

		const byKey = new Map<string, number[]>();
		for (const child of children) {
			const childPosition = positions.get(child)!;
			const key = tree.index.sites[childPosition]!.key;
			byKey.set(key, [...byKey.get(key) ?? [], childPosition]);
		}

		let best: CallPathLeak | undefined;
		for (const child of children) {
			const leak = joinedLeak(tree, bins, position, positions.get(child)!, byKey);
			if (leak !== undefined && (best === undefined || leak.liveBytes > best.liveBytes)) {
				best = leak;
			}
		}

		if (best !== undefined) {
			found.push(best);
		}
	}

	return found.sort((a, b) => b.liveBytes - a.liveBytes);
}

/**
 * The moves of a leak in words, seconds counted from the sampler's start: "allocations moved to listOnTimeout at
 * 12 s (inlined by V8)", and a move back "back to rememberJobs at 30 s (deoptimised)".
 */
export function movedText(leak: CallPathLeak): string {
	const start = leak.age.edges[0]!;
	const parts = leak.moves.map(move => `${move.cause === 'inlined' ? 'moved to' : 'back to'} ${move.to.functionName} at ${Math.round((move.at - start) / 1000)} s (${move.cause === 'inlined' ? 'inlined by V8' : 'deoptimised'})`);
	return `allocations ${parts.join(', ')}`;
}
