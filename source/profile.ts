/** The shape of V8's sampling heap profile as CDP returns it (HeapProfiler.SamplingHeapProfile). */
export type CallFrame = {
	readonly functionName: string;
	readonly scriptId: string;
	readonly url: string;
	/** 0-based, the function's start (not the allocation's line). */
	readonly lineNumber: number;
	readonly columnNumber: number;
};

export type ProfileNode = {
	readonly callFrame: CallFrame;
	readonly selfSize: number;
	readonly id: number;
	readonly children: readonly ProfileNode[];
};

export type ProfileSample = {readonly size: number; readonly nodeId: number; readonly ordinal: number};

export type SamplingProfile = {readonly head: ProfileNode; readonly samples: readonly ProfileSample[]};

/**
 * user: the application's code; dependency: code under node_modules; internal: Node's own `node:` modules;
 * builtin: V8 builtins (no URL); pseudo: V8's bookkeeping frames such as `(root)` or `(V8 API)`.
 */
export type SiteKind = 'user' | 'dependency' | 'internal' | 'builtin' | 'pseudo';

/** An allocation site: one function, identified by name and start location (1-based line and column). */
export type SiteIdentity = {
	readonly key: string;
	readonly functionName: string;
	readonly url: string;
	readonly line: number;
	readonly column: number;
	readonly kind: SiteKind;
};

export type Site = SiteIdentity & {
	/** Scaled estimate of the bytes this site's allocations still hold. */
	readonly liveBytes: number;
	readonly samples: number;
};

export type Aggregate = {
	/** Sorted by live bytes, heaviest first. */
	readonly sites: readonly Site[];
	readonly totalBytes: number;
	readonly totalSamples: number;
	/** Highest sample ordinal seen: counts every sampled allocation since sampling started, freed or not. */
	readonly maxOrdinal: number;
	readonly nodeCount: number;
};

const anonymous = '(anonymous)';

export function siteKind(functionName: string, url: string): SiteKind {
	if (url === '') {
		return functionName.startsWith('(') && functionName.endsWith(')') ? 'pseudo' : 'builtin';
	}

	if (url.startsWith('node:')) {
		return 'internal';
	}

	return /[\\/]node_modules[\\/]/.test(url) ? 'dependency' : 'user';
}

/** Identity of the site a call frame allocates in; CDP's 0-based positions become 1-based. */
export function siteOf(frame: CallFrame): SiteIdentity {
	const functionName = frame.functionName === '' ? anonymous : frame.functionName;
	const line = frame.lineNumber + 1;
	const column = frame.columnNumber + 1;
	return {
		key: `${functionName}\u0000${frame.url}\u0000${line}\u0000${column}`,
		functionName,
		url: frame.url,
		line,
		column,
		kind: siteKind(functionName, frame.url),
	};
}

type Accumulator = {identity: SiteIdentity; liveBytes: number; samples: number};

/**
 * Folds a sampling profile into allocation sites: the self sizes of every node whose frame is the same
 * function, with the number of live samples taken in it. Node ids are not stable across polls, so sites are
 * keyed by call frame. Walks iteratively because stacks can be deeper than the JS call stack allows.
 */
export function aggregateProfile(profile: SamplingProfile): Aggregate {
	const bySite = new Map<string, Accumulator>();
	const siteOfNode = new Map<number, Accumulator>();
	const identities = new Map<CallFrame, SiteIdentity>();
	const stack: ProfileNode[] = [profile.head];
	let nodeCount = 0;
	let totalBytes = 0;
	while (stack.length > 0) {
		const node = stack.pop()!;
		nodeCount++;
		for (const child of node.children) {
			stack.push(child);
		}

		let identity = identities.get(node.callFrame);
		if (identity === undefined) {
			identity = siteOf(node.callFrame);
			identities.set(node.callFrame, identity);
		}

		let accumulator = bySite.get(identity.key);
		if (accumulator === undefined) {
			accumulator = {identity, liveBytes: 0, samples: 0};
			bySite.set(identity.key, accumulator);
		}

		accumulator.liveBytes += node.selfSize;
		totalBytes += node.selfSize;
		siteOfNode.set(node.id, accumulator);
	}

	let maxOrdinal = 0;
	for (const sample of profile.samples) {
		const accumulator = siteOfNode.get(sample.nodeId);
		if (accumulator !== undefined) {
			accumulator.samples++;
		}

		if (sample.ordinal > maxOrdinal) {
			maxOrdinal = sample.ordinal;
		}
	}

	const sites: Site[] = [];
	for (const {identity, liveBytes, samples} of bySite.values()) {
		if (liveBytes > 0 || samples > 0) {
			sites.push({...identity, liveBytes, samples});
		}
	}

	sites.sort((a, b) => b.liveBytes - a.liveBytes);
	return {sites, totalBytes, totalSamples: profile.samples.length, maxOrdinal, nodeCount};
}
