import {crc32, deflateRawSync, inflateRawSync} from 'node:zlib';
import type {CallFrame} from '../model/identity.js';
import type {ProfileNode, ProfileSample, SamplingProfile} from '../model/profile.js';
import type {RawSnapshot} from '../model/snapshot.js';
import type {LeaktopEvent, TargetInfo} from '../events.js';

/**
 * leaktop's recording format, version 2: the magic line `LEAKTOP-RECORDING\n`, then records, each
 * `[u32 length][u32 crc32][deflate-raw JSON]` (big-endian). Appending whole records only, and checking each
 * one's length and checksum on reading, means a crash or `kill -9` mid-write loses at most the last record.
 * Call frames are interned: a snapshot record carries only the frames not seen before, and its profile tree as
 * flat number arrays. Version 2 holds several targets: the header introduces the first, a `target` record each
 * other, and a record about another than the first names it in `target` (version 1 files hold one target).
 * Version 3 adds `output` records: the lines a spawned program printed.
 */
export const recordingVersion = 3;
export const magic = Buffer.from('LEAKTOP-RECORDING\n');

export type RecordingHeader = {
	readonly type: 'header';
	readonly format: 'leaktop-recording';
	readonly version: number;
	readonly leaktop: string;
	readonly target: TargetInfo;
	readonly attachedAt: number;
	readonly samplingInterval: number;
};

type FrameTuple = [functionName: string, scriptId: string, url: string, lineNumber: number, columnNumber: number];

type SnapshotRecord = {
	readonly type: 'snapshot';
	readonly snapshot: Omit<RawSnapshot, 'profile' | 'targetId'>;
	/** Frames first seen in this snapshot; ids continue from the previous ones. */
	readonly frames: FrameTuple[];
	/** Per node, preorder: frame id, parent's index (-1 for the root), self size, node id. */
	readonly nodes: number[];
	/** Per sample: size, node id, ordinal. */
	readonly samples: number[];
};

/** The other events as they lie in the file: without the target id, which the header gives for its target. */
type EventRecord<Type extends LeaktopEvent['type']> = Omit<Extract<LeaktopEvent, {type: Type}>, 'targetId'>;
/** The target came back after it went away (written since re-attaching was added; older files say it in a notice). */
type ReattachedRecord = {readonly type: 'attached'; readonly time: number; readonly reattached: string};
/** Another target than the header's joined the session (a worker thread, a process): its `attached` event. */
type TargetRecord = {readonly type: 'target'; readonly time: number; readonly info: TargetInfo; readonly samplingInterval: number};

type Body = SnapshotRecord | EventRecord<'notice'> | EventRecord<'exited'> | EventRecord<'gauges'> | EventRecord<'output'> | EventRecord<'end'> | ReattachedRecord | TargetRecord;
/** `target`: the id of the target a record is about, when it is not the header's. */
export type WireRecord = RecordingHeader | (Body & {readonly target?: string});

function frame(call: CallFrame): FrameTuple {
	return [call.functionName, call.scriptId, call.url, call.lineNumber, call.columnNumber];
}

function frameKey(tuple: FrameTuple): string {
	return tuple.join('\u0000');
}

/** One record as it lies in the file: length, checksum, compressed JSON. */
export function encodeRecord(record: WireRecord): Buffer {
	const payload = deflateRawSync(JSON.stringify(record));
	const head = Buffer.alloc(8);
	head.writeUInt32BE(payload.length, 0);
	head.writeUInt32BE(crc32(payload), 4);
	return Buffer.concat([head, payload]);
}

/**
 * Turns the event stream of one target into recording bytes; keeps the frame table between snapshots. The
 * first `attached` event writes the magic line and the header.
 */
export class RecordingEncoder {
	private readonly frameIds = new Map<string, number>();
	private first: string | undefined;
	private readonly known = new Set<string>();

	constructor(private readonly leaktop: string) {}

	encode(event: LeaktopEvent): Buffer {
		if (this.first === undefined) {
			if (event.type !== 'attached') {
				return Buffer.alloc(0);
			}

			this.first = event.targetId;
			this.known.add(event.targetId);
			return Buffer.concat([magic, encodeRecord({
				type: 'header', format: 'leaktop-recording', version: recordingVersion, leaktop: this.leaktop, target: event.info, attachedAt: event.time, samplingInterval: event.samplingInterval,
			})]);
		}

		const body = this.body(event);
		return encodeRecord(event.targetId === this.first ? body : {...body, target: event.targetId});
	}

	private body(event: LeaktopEvent): Body {
		switch (event.type) {
			case 'attached': {
				if (this.known.has(event.targetId)) {
					return {type: 'attached', time: event.time, reattached: event.reattached ?? 're-attached'};
				}

				this.known.add(event.targetId);
				return {type: 'target', time: event.time, info: event.info, samplingInterval: event.samplingInterval};
			}

			case 'snapshot': {
				return this.snapshot(event.snapshot);
			}

			case 'notice': {
				return {type: 'notice', time: event.time, message: event.message, gap: event.gap};
			}

			case 'exited': {
				return {type: 'exited', time: event.time, reason: event.reason};
			}

			case 'gauges': {
				return {type: 'gauges', time: event.time, heap: event.heap, process: event.process};
			}

			case 'output': {
				return {type: 'output', time: event.time, stream: event.stream, lines: event.lines};
			}

			case 'end': {
				return {type: 'end', time: event.time};
			}
		}
	}

	private snapshot(snapshot: RawSnapshot): SnapshotRecord {
		const frames: FrameTuple[] = [];
		const nodes: number[] = [];
		const stack: Array<[ProfileNode, number]> = [[snapshot.profile.head, -1]];
		let index = 0;
		while (stack.length > 0) {
			const [node, parent] = stack.pop()!;
			const tuple = frame(node.callFrame);
			const key = frameKey(tuple);
			let id = this.frameIds.get(key);
			if (id === undefined) {
				id = this.frameIds.size;
				this.frameIds.set(key, id);
				frames.push(tuple);
			}

			nodes.push(id, parent, node.selfSize, node.id);
			const self = index++;
			for (let child = node.children.length - 1; child >= 0; child--) {
				stack.push([node.children[child]!, self]);
			}
		}

		const samples = snapshot.profile.samples.flatMap(sample => [sample.size, sample.nodeId, sample.ordinal]);
		const {profile: _profile, targetId: _targetId, ...rest} = snapshot;
		return {type: 'snapshot', snapshot: rest, frames, nodes, samples};
	}
}

type MutableNode = {callFrame: CallFrame; selfSize: number; id: number; children: MutableNode[]};

function restoreProfile(record: SnapshotRecord, frames: readonly FrameTuple[]): SamplingProfile {
	const built: MutableNode[] = [];
	for (let offset = 0; offset < record.nodes.length; offset += 4) {
		const [functionName, scriptId, url, lineNumber, columnNumber] = frames[record.nodes[offset]!]!;
		const node: MutableNode = {callFrame: {functionName, scriptId, url, lineNumber, columnNumber}, selfSize: record.nodes[offset + 2]!, id: record.nodes[offset + 3]!, children: []};
		const parent = record.nodes[offset + 1]!;
		if (parent >= 0) {
			built[parent]!.children.push(node);
		}

		built.push(node);
	}

	const samples: ProfileSample[] = [];
	for (let offset = 0; offset < record.samples.length; offset += 3) {
		samples.push({size: record.samples[offset]!, nodeId: record.samples[offset + 1]!, ordinal: record.samples[offset + 2]!});
	}

	return {head: built[0]!, samples};
}

export type DecodedRecording = {
	readonly header: RecordingHeader;
	/** The recorded event stream, from the `attached` event the header stands for. */
	readonly events: readonly LeaktopEvent[];
	/** Set when the file ends in a partial record (a crash mid-write): what it says, for a notice. */
	readonly truncated: string | undefined;
};

/** Thrown for a file that is not a recording, is corrupt, or is newer than this leaktop reads. */
export class RecordingError extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/** What is wrong with a record that passed its checksum and decoded, structurally; undefined when nothing is. */
function malformed(record: unknown): string | undefined {
	if (!isObject(record) || typeof record['type'] !== 'string') {
		return 'is not a record';
	}

	const {type} = record;
	if (type !== 'header' && type !== 'snapshot' && !isNumber(record['time'])) {
		return `(${type}) has no time`;
	}

	const checks: Record<string, () => boolean> = {
		header: () => isObject(record['target']) && typeof record['target']['id'] === 'string' && isNumber(record['attachedAt']) && isNumber(record['samplingInterval']) && isNumber(record['version']),
		snapshot: () => isObject(record['snapshot']) && isNumber(record['snapshot']['time']) && isObject(record['snapshot']['heap']) && Array.isArray(record['frames']) && Array.isArray(record['nodes']) && Array.isArray(record['samples']),
		target: () => isObject(record['info']) && typeof record['info']['id'] === 'string' && isNumber(record['samplingInterval']),
		attached: () => typeof record['reattached'] === 'string',
		notice: () => typeof record['message'] === 'string',
		exited: () => typeof record['reason'] === 'string',
		gauges: () => isObject(record['heap']),
		output: () => (record['stream'] === 'stdout' || record['stream'] === 'stderr') && Array.isArray(record['lines']) && record['lines'].every(line => typeof line === 'string'),
		end: () => true,
	};
	const check = checks[type];
	if (check === undefined) {
		return `is of a kind this leaktop does not know (${type.slice(0, 40)})`;
	}

	return check() ? undefined : `(${type}) lacks what a ${type} record holds`;
}

/** Reads a whole recording. A partial last record is skipped and reported; any other damage is an error. */
export function decodeRecording(bytes: Buffer): DecodedRecording {
	if (bytes.length < magic.length || !bytes.subarray(0, magic.length).equals(magic)) {
		throw new RecordingError('not a leaktop recording');
	}

	let offset = magic.length;
	let header: RecordingHeader | undefined;
	let truncated: string | undefined;
	const frames: FrameTuple[] = [];
	const events: LeaktopEvent[] = [];
	const introductions = new Map<string, {info: TargetInfo; samplingInterval: number}>();
	while (offset < bytes.length) {
		if (offset + 8 > bytes.length || offset + 8 + bytes.readUInt32BE(offset) > bytes.length) {
			truncated = `the recording ends in a partial record (${bytes.length - offset} bytes at offset ${offset}), skipped: leaktop stopped while writing it`;
			break;
		}

		const length = bytes.readUInt32BE(offset);
		const payload = bytes.subarray(offset + 8, offset + 8 + length);
		const last = offset + 8 + length === bytes.length;
		if (crc32(payload) !== bytes.readUInt32BE(offset + 4)) {
			if (last) {
				truncated = `the last record (at offset ${offset}) is damaged, skipped: leaktop stopped while writing it`;
				break;
			}

			throw new RecordingError(`the recording is corrupt: the record at offset ${offset} fails its checksum`);
		}

		let record: WireRecord;
		try {
			record = JSON.parse(inflateRawSync(payload).toString('utf8')) as WireRecord;
		} catch {
			throw new RecordingError(`the recording is corrupt: the record at offset ${offset} does not decode`);
		}

		const problem = malformed(record);
		if (problem !== undefined) {
			throw new RecordingError(`the recording is damaged: the record at offset ${offset} ${problem}`);
		}

		const at = offset;
		offset += 8 + length;
		if (header === undefined) {
			if (record.type !== 'header' || record.format !== 'leaktop-recording') {
				throw new RecordingError('the recording has no header');
			}

			if (record.version > recordingVersion) {
				throw new RecordingError(`the recording is format version ${record.version}, newer than this leaktop reads (${recordingVersion}): update leaktop`);
			}

			header = record;
			events.push({type: 'attached', targetId: header.target.id, time: header.attachedAt, info: header.target, samplingInterval: header.samplingInterval});
			continue;
		}

		if (record.type === 'header') {
			continue;
		}

		const {target, ...body} = record;
		const targetId = target ?? header.target.id;
		const introduced = introductions.get(targetId);
		if (body.type === 'snapshot') {
			frames.push(...body.frames);
			let profile: SamplingProfile;
			try {
				profile = restoreProfile(body, frames);
			} catch (error) {
				throw new RecordingError(`the recording is damaged: the snapshot at offset ${at} does not make a profile (${error instanceof Error ? error.message : String(error)})`);
			}

			const snapshot: RawSnapshot = {...body.snapshot, targetId, profile};
			events.push({type: 'snapshot', targetId, time: snapshot.time, snapshot});
		} else if (body.type === 'target') {
			introductions.set(targetId, {info: body.info, samplingInterval: body.samplingInterval});
			events.push({type: 'attached', targetId, time: body.time, info: body.info, samplingInterval: body.samplingInterval});
		} else if (body.type === 'attached') {
			events.push({...body, targetId, info: introduced?.info ?? header.target, samplingInterval: introduced?.samplingInterval ?? header.samplingInterval});
		} else {
			events.push({...body, targetId});
		}
	}

	if (header === undefined) {
		throw new RecordingError('the recording has no header');
	}

	return {header, events, truncated};
}
