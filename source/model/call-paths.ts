import {hasUserCode, siteOf, type SiteIdentity} from './identity.js';
import type {Grouping, ProfileNode, SamplingProfile} from './profile.js';

/**
 * Call paths through a sampling profile, for the drill-down: who calls an allocation site (bottom-up, DevTools'
 * "Heavy" view), what a function's callees allocate (top-down, DevTools' "Tree"), and the nearest frame of the
 * user's own code above any builtin or Node internal.
 */

/** One profile flattened: per node, its site, its parent's index and its subtree's bytes. */
export type ProfileIndex = {
	readonly nodes: readonly ProfileNode[];
	readonly positions: ReadonlyMap<ProfileNode, number>;
	readonly sites: readonly SiteIdentity[];
	readonly parents: Int32Array;
	readonly totals: Float64Array;
	/** Index of the nearest node, itself included, whose frame is the user's or a dependency's code; -1 if none. */
	readonly userNodes: Int32Array;
	/** userFrameOf's answers, by site key: the table asks for every builtin row on every redraw. */
	readonly userFrames: Map<string, SiteIdentity | undefined>;
	/** userFramesBelow's answers, by site key. */
	readonly framesBelow: Map<string, SiteIdentity | undefined>;
};

const indexes = new WeakMap<SamplingProfile, ProfileIndex>();

/** Flattens a profile once (memoized per profile object: the drill-down asks again on every key press). */
export function profileIndex(profile: SamplingProfile): ProfileIndex {
	const known = indexes.get(profile);
	if (known !== undefined) {
		return known;
	}

	const nodes: ProfileNode[] = [];
	const positions = new Map<ProfileNode, number>();
	const sites: SiteIdentity[] = [];
	const parentList: number[] = [];
	const bySignature = new Map<string, SiteIdentity>();
	const stack: Array<[ProfileNode, number]> = [[profile.head, -1]];
	while (stack.length > 0) {
		const [node, parent] = stack.pop()!;
		const index = nodes.length;
		nodes.push(node);
		positions.set(node, index);
		parentList.push(parent);
		const {callFrame} = node;
		const signature = `${callFrame.scriptId}:${callFrame.lineNumber}:${callFrame.columnNumber}:${callFrame.functionName}:${callFrame.url}`;
		let site = bySignature.get(signature);
		if (site === undefined) {
			site = siteOf(callFrame);
			bySignature.set(signature, site);
		}

		sites.push(site);
		for (const child of node.children) {
			stack.push([child, index]);
		}
	}

	const parents = Int32Array.from(parentList);
	const totals = new Float64Array(nodes.length);
	// Preorder puts every parent before its children: summing backwards adds each subtree to its parent.
	for (let index = nodes.length - 1; index >= 0; index--) {
		totals[index]! += nodes[index]!.selfSize;
		if (parents[index]! >= 0) {
			totals[parents[index]!]! += totals[index]!;
		}
	}

	const userNodes = new Int32Array(nodes.length);
	for (let index = 0; index < nodes.length; index++) {
		userNodes[index] = hasUserCode(sites[index]!.kind) ? index : (parents[index]! >= 0 ? userNodes[parents[index]!]! : -1);
	}

	const built = {nodes, positions, sites, parents, totals, userNodes, userFrames: new Map<string, SiteIdentity | undefined>(), framesBelow: new Map<string, SiteIdentity | undefined>()};
	indexes.set(profile, built);
	return built;
}

/** A node of a bottom-up or top-down tree: a site, the bytes through it, and its callers or callees. */
export type PathTree = {
	readonly site: SiteIdentity;
	readonly bytes: number;
	readonly children: readonly PathTree[];
};

type MutableTree = {site: SiteIdentity; bytes: number; children: Map<string, MutableTree>};

function freeze(tree: MutableTree): PathTree {
	return {site: tree.site, bytes: tree.bytes, children: [...tree.children.values()].map(freeze).sort((a, b) => b.bytes - a.bytes)};
}

function child(tree: MutableTree, site: SiteIdentity): MutableTree {
	let next = tree.children.get(site.key);
	if (next === undefined) {
		next = {site, bytes: 0, children: new Map()};
		tree.children.set(site.key, next);
	}

	return next;
}

/**
 * The callers of a site, heaviest first: each level one caller further from the allocation. Grouped by user
 * frame, the site also owns what the builtins and internals it calls allocate.
 */
export function callersOf(profile: SamplingProfile, site: SiteIdentity, grouping: Grouping = 'site'): PathTree {
	const {nodes, sites, parents, userNodes} = profileIndex(profile);
	const root: MutableTree = {site, bytes: 0, children: new Map()};
	for (const [index, node] of nodes.entries()) {
		const owner = grouping === 'user' && userNodes[index]! >= 0 ? userNodes[index]! : index;
		if (sites[owner]!.key !== site.key || node.selfSize <= 0) {
			continue;
		}

		root.bytes += node.selfSize;
		let tree = root;
		for (let parent = parents[owner]!; parent > 0; parent = parents[parent]!) {
			tree = child(tree, sites[parent]!);
			tree.bytes += node.selfSize;
		}
	}

	return freeze(root);
}

/**
 * What a function and its callees hold: the site's own bytes and, below it, each callee's subtree. Recursive
 * calls are counted once, at the outermost call.
 */
export function calleesOf(profile: SamplingProfile, site: SiteIdentity): PathTree {
	const {nodes, positions, sites, parents, totals} = profileIndex(profile);
	const root: MutableTree = {site, bytes: 0, children: new Map()};
	// V8 caps stacks at 128 frames, so this recursion stays shallow.
	const add = (into: MutableTree, index: number) => {
		for (const callee of nodes[index]!.children) {
			const calleeIndex = positions.get(callee)!;
			const tree = child(into, sites[calleeIndex]!);
			tree.bytes += totals[calleeIndex]!;
			add(tree, calleeIndex);
		}
	};

	for (let index = 0; index < nodes.length; index++) {
		if (sites[index]!.key !== site.key) {
			continue;
		}

		let nested = false;
		for (let parent = parents[index]!; parent >= 0 && !nested; parent = parents[parent]!) {
			nested = sites[parent]!.key === site.key;
		}

		if (!nested) {
			root.bytes += totals[index]!;
			add(root, index);
		}
	}

	return freeze(root);
}

/** The site's heaviest call paths, leaf first, as "name url:line" frames (the report's `paths`). */
export function heaviestPaths(profile: SamplingProfile, site: SiteIdentity, limit = 5): Array<{frames: string[]; bytes: number}> {
	const {nodes, sites, parents} = profileIndex(profile);
	const paths = new Map<string, {frames: string[]; bytes: number}>();
	for (const [index, node] of nodes.entries()) {
		if (sites[index]!.key !== site.key || node.selfSize <= 0) {
			continue;
		}

		const frames: string[] = [];
		for (let at = index; at > 0; at = parents[at]!) {
			const {functionName, url, line} = sites[at]!;
			frames.push(url === '' ? functionName : `${functionName} ${url}:${line}`);
		}

		const key = frames.join('\n');
		const entry = paths.get(key) ?? {frames, bytes: 0};
		entry.bytes += node.selfSize;
		paths.set(key, entry);
	}

	return [...paths.values()].sort((a, b) => b.bytes - a.bytes).slice(0, limit);
}

/**
 * The nearest frame with a non-internal URL at or above the site's heaviest allocation: what a user can fix
 * when the site is a builtin (`set` inside `memoizeUser`). Undefined when no frame above has one.
 */
export function userFrameOf(profile: SamplingProfile, site: SiteIdentity): SiteIdentity | undefined {
	if (hasUserCode(site.kind)) {
		return site;
	}

	const {nodes, sites, userNodes, userFrames} = profileIndex(profile);
	if (userFrames.has(site.key)) {
		return userFrames.get(site.key);
	}

	const byFrame = new Map<number, number>();
	for (const [index, node] of nodes.entries()) {
		if (sites[index]!.key === site.key && node.selfSize > 0 && userNodes[index]! >= 0) {
			byFrame.set(userNodes[index]!, (byFrame.get(userNodes[index]!) ?? 0) + node.selfSize);
		}
	}

	let best: [number, number] | undefined;
	for (const entry of byFrame) {
		if (best === undefined || entry[1] > best[1]) {
			best = entry;
		}
	}

	const found = best === undefined ? undefined : sites[best[0]];
	userFrames.set(site.key, found);
	return found;
}

/**
 * Bytes per site under call paths through `focus`: every node at or below an outermost call of the focused
 * function, keyed as the table's rows are (by site, or by nearest user frame when grouped).
 */
export function bytesUnder(profile: SamplingProfile, focus: SiteIdentity, grouping: Grouping): Map<string, number> {
	const {nodes, sites, parents, userNodes} = profileIndex(profile);
	const inside = new Uint8Array(nodes.length);
	const result = new Map<string, number>();
	// Preorder: a parent's mark is known before its children's.
	for (let index = 0; index < nodes.length; index++) {
		const parent = parents[index]!;
		inside[index] = sites[index]!.key === focus.key || (parent >= 0 && inside[parent] === 1) ? 1 : 0;
		const bytes = nodes[index]!.selfSize;
		if (inside[index] === 0 || bytes <= 0) {
			continue;
		}

		const owner = grouping === 'user' && userNodes[index]! >= 0 ? userNodes[index]! : index;
		const key = sites[owner]!.key;
		result.set(key, (result.get(key) ?? 0) + bytes);
	}

	return result;
}

export type DrillTree = 'callers' | 'callees';

/** One visible line of a drill-down tree. */
export type DrillRow = {
	/** The sites from the root to this node, joined: what `expanded` holds. */
	readonly path: string;
	readonly depth: number;
	readonly site: SiteIdentity;
	readonly bytes: number;
	/** Share of the root's bytes. */
	readonly share: number;
	readonly expandable: boolean;
	readonly expanded: boolean;
};

/** The tree's lines as shown: the root, and the children of every expanded node, heaviest first. */
export function drillRows(tree: PathTree, expanded: ReadonlySet<string>): DrillRow[] {
	const rows: DrillRow[] = [];
	const visit = (node: PathTree, depth: number, path: string) => {
		const isOpen = depth === 0 || expanded.has(path);
		rows.push({path, depth, site: node.site, bytes: node.bytes, share: tree.bytes > 0 ? node.bytes / tree.bytes : 0, expandable: node.children.length > 0, expanded: isOpen && node.children.length > 0});
		if (isOpen) {
			for (const child of node.children) {
				visit(child, depth + 1, `${path}\u0001${child.site.key}`);
			}
		}
	};

	visit(tree, 0, tree.site.key);
	return rows;
}

/**
 * The frames of the user's code (or a dependency's) nearest below the site's nodes, with what their subtrees
 * hold, heaviest first: what a Node internal allocates on behalf of (a timer callback V8 inlined into
 * `listOnTimeout` leaves the callback's older allocations below it).
 */
function userFramesBelow(profile: SamplingProfile, site: SiteIdentity): SiteIdentity | undefined {
	const {nodes, positions, sites, totals, framesBelow} = profileIndex(profile);
	if (framesBelow.has(site.key)) {
		return framesBelow.get(site.key);
	}

	const byKey = new Map<string, {site: SiteIdentity; bytes: number}>();
	const stack: number[] = [];
	for (let index = 0; index < nodes.length; index++) {
		if (sites[index]!.key === site.key) {
			for (const child of nodes[index]!.children) {
				stack.push(positions.get(child)!);
			}
		}
	}

	while (stack.length > 0) {
		const index = stack.pop()!;
		const found = sites[index]!;
		if (hasUserCode(found.kind)) {
			const entry = byKey.get(found.key) ?? {site: found, bytes: 0};
			entry.bytes += totals[index]!;
			byKey.set(found.key, entry);
			continue;
		}

		for (const child of nodes[index]!.children) {
			stack.push(positions.get(child)!);
		}
	}

	let best: {site: SiteIdentity; bytes: number} | undefined;
	for (const entry of byKey.values()) {
		if (entry.bytes > 0 && (best === undefined || entry.bytes > best.bytes)) {
			best = entry;
		}
	}

	framesBelow.set(site.key, best?.site);
	return best?.site;
}

/** The frame the table names a row by: a suspect's as judged, a builtin's or V8 frame's caller, else none. */
export function rowFrame(profile: SamplingProfile | undefined, row: SiteIdentity & {readonly frame?: SiteIdentity | undefined}): SiteIdentity | undefined {
	if (row.frame !== undefined && row.frame.key !== row.key) {
		return row.frame;
	}

	return profile !== undefined && (row.kind === 'builtin' || row.kind === 'pseudo') ? userFrameOf(profile, row) : undefined;
}

/**
 * The frame of code the user can change that answers for a site: the site itself when it is such code; for a V8
 * builtin, the caller that asked for it (`repeat` in `rememberRequest`), else a callee; for a Node internal or V8's
 * own frames, the callee it allocates for (what V8 inlined into it), else the caller. Undefined: none anywhere.
 */
export function actionableFrame(profile: SamplingProfile, site: SiteIdentity): SiteIdentity | undefined {
	if (hasUserCode(site.kind)) {
		return site;
	}

	return site.kind === 'builtin'
		? userFrameOf(profile, site) ?? userFramesBelow(profile, site)
		: userFramesBelow(profile, site) ?? userFrameOf(profile, site);
}
