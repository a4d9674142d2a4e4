import {hasUserCode, siteOf, type CallFrame, type SiteIdentity} from './identity.js';

/** Node ids past this are not remembered (an array indexed by id serves them; V8 numbers nodes densely from 1). */
const maxRememberedNodeId = 1 << 22;

function sameFrame(a: CallFrame, b: CallFrame): boolean {
	return a.lineNumber === b.lineNumber && a.columnNumber === b.columnNumber && a.scriptId === b.scriptId
		&& a.functionName === b.functionName && a.url === b.url;
}

/**
 * The sites of the call frames a target's profiles name, kept for the session, so that each poll resolves only the
 * nodes it has not met: V8 numbers a sampling session's nodes once and keeps them, so a node id names the same frame
 * from poll to poll (measured: no id changed its frame or parent over eight polls of five programs). The frame is
 * compared all the same, field by field: a sampler restarted behind leaktop's back numbers its nodes afresh, and a
 * URL a later profile fills in makes another site. A site's index is its place in the arrays a poll sums into.
 */
export class FrameTable {
	/** Every site met, by index, in the order first met. */
	readonly sites: SiteIdentity[] = [];
	/** Per distinct frame: the frame, its site's index, and whether it is code the user (or a package) wrote. */
	private readonly frames: CallFrame[] = [];
	private readonly frameSites: number[] = [];
	private readonly frameUserCode: boolean[] = [];
	private readonly siteIndexes = new Map<string, number>();
	/** A distinct frame by script id, then position, then name: nested maps with short keys (npm run bench). */
	private readonly byScript = new Map<string, Map<number | string, Map<string, number>>>();
	/** Per node id, its frame's index + 1 (0: not met). */
	private nodeFrames = new Int32Array(1024);

	/** The index of the frame of node `nodeId`, named `frame`. */
	frameOf(nodeId: number, frame: CallFrame): number {
		const known = nodeId < this.nodeFrames.length ? this.nodeFrames[nodeId]! - 1 : -1;
		if (known >= 0 && sameFrame(this.frames[known]!, frame)) {
			return known;
		}

		const index = this.lookup(frame);
		if (nodeId >= 0 && nodeId < maxRememberedNodeId && Number.isInteger(nodeId)) {
			if (nodeId >= this.nodeFrames.length) {
				const grown = new Int32Array(Math.min(maxRememberedNodeId, Math.max(nodeId + 1, this.nodeFrames.length * 2)));
				grown.set(this.nodeFrames);
				this.nodeFrames = grown;
			}

			this.nodeFrames[nodeId] = index + 1;
		}

		return index;
	}

	siteOf(frameIndex: number): number {
		return this.frameSites[frameIndex]!;
	}

	isUserCode(frameIndex: number): boolean {
		return this.frameUserCode[frameIndex]!;
	}

	private lookup(frame: CallFrame): number {
		let positions = this.byScript.get(frame.scriptId);
		if (positions === undefined) {
			positions = new Map();
			this.byScript.set(frame.scriptId, positions);
		}

		// A small-integer key where it fits (most code); minified lines run long, and get a string.
		const position = frame.lineNumber < 0x2_00_00 && frame.columnNumber < 0x20_00
			? (frame.lineNumber * 0x20_00) + frame.columnNumber
			: `${frame.lineNumber}:${frame.columnNumber}`;
		let names = positions.get(position);
		if (names === undefined) {
			names = new Map();
			positions.set(position, names);
		}

		let index = names.get(frame.functionName);
		if (index === undefined || !sameFrame(this.frames[index]!, frame)) {
			index = this.add(frame);
			names.set(frame.functionName, index);
		}

		return index;
	}

	/** A frame met for the first time; several frames can be one site (a script loaded twice has two script ids). */
	private add(frame: CallFrame): number {
		const identity = siteOf(frame);
		let site = this.siteIndexes.get(identity.key);
		if (site === undefined) {
			site = this.sites.length;
			this.sites.push(identity);
			this.siteIndexes.set(identity.key, site);
		}

		this.frames.push(frame);
		this.frameSites.push(site);
		this.frameUserCode.push(hasUserCode(identity.kind));
		return this.frames.length - 1;
	}
}
