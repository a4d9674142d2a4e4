import {crc32, deflateRawSync, inflateRawSync} from 'node:zlib';
import type {CallFrame, ProfileNode, ProfileSample, SamplingProfile} from '../model/profile.js';
import type {RawSnapshot} from '../sample/sampler.js';
import type {TargetInfo} from '../ui/store.js';

/**
 * leaktop's recording format, version 1: the magic line `LEAKTOP-RECORDING\n`, then records, each
 * `[u32 length][u32 crc32][deflate-raw JSON]` (big-endian). Appending whole records only, and checking each
 * one's length and checksum on reading, means a crash or `kill -9` mid-write loses at most the last record.
 * Call frames are interned: a snapshot record carries only the frames not seen before, and its profile tree as
 * flat number arrays.
 */
export const recordingVersion = 1;
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

/** A notice the sampler gave; `gap` breaks the history at this point. */
export type NoticeRecord = {readonly type: 'notice'; readonly time: number; readonly message: string; readonly gap: boolean};
export type ExitRecord = {readonly type: 'exited'; readonly time: number; readonly reason: string};
/** Written when recording ends cleanly: when the session ended. */
export type EndRecord = {readonly type: 'end'; readonly time: number};

export type WireRecord = RecordingHeader | SnapshotRecord | NoticeRecord | ExitRecord | EndRecord;

/** What a recording holds, in order, with profiles restored. */
export type RecordedEvent =
	| {readonly type: 'snapshot'; readonly snapshot: RawSnapshot}
	| NoticeRecord
	| ExitRecord
	| EndRecord;

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

/** Turns what a session produces into recording bytes; keeps the frame table between snapshots. */
export class RecordingEncoder {
	private readonly frameIds = new Map<string, number>();

	header(target: TargetInfo, attachedAt: number, samplingInterval: number, leaktop: string): Buffer {
		return Buffer.concat([magic, encodeRecord({
			type: 'header', format: 'leaktop-recording', version: recordingVersion, leaktop, target, attachedAt, samplingInterval,
		})]);
	}

	snapshot(snapshot: RawSnapshot): Buffer {
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
		return encodeRecord({type: 'snapshot', snapshot: rest, frames, nodes, samples});
	}

	event(record: NoticeRecord | ExitRecord | EndRecord): Buffer {
		return encodeRecord(record);
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
	readonly events: readonly RecordedEvent[];
	/** Set when the file ends in a partial record (a crash mid-write): what it says, for a notice. */
	readonly truncated: string | undefined;
};

/** Thrown for a file that is not a recording, is corrupt, or is newer than this leaktop reads. */
export class RecordingError extends Error {}

/** Reads a whole recording. A partial last record is skipped and reported; any other damage is an error. */
export function decodeRecording(bytes: Buffer): DecodedRecording {
	if (bytes.length < magic.length || !bytes.subarray(0, magic.length).equals(magic)) {
		throw new RecordingError('not a leaktop recording');
	}

	let offset = magic.length;
	let header: RecordingHeader | undefined;
	let truncated: string | undefined;
	const frames: FrameTuple[] = [];
	const events: RecordedEvent[] = [];
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

		offset += 8 + length;
		if (header === undefined) {
			if (record.type !== 'header' || record.format !== 'leaktop-recording') {
				throw new RecordingError('the recording has no header');
			}

			if (record.version > recordingVersion) {
				throw new RecordingError(`the recording is format version ${record.version}, newer than this leaktop reads (${recordingVersion}): update leaktop`);
			}

			header = record;
			continue;
		}

		if (record.type === 'snapshot') {
			frames.push(...record.frames);
			const snapshot: RawSnapshot = {...record.snapshot, targetId: header.target.id, profile: restoreProfile(record, frames)};
			events.push({type: 'snapshot', snapshot});
		} else if (record.type !== 'header') {
			events.push(record);
		}
	}

	if (header === undefined) {
		throw new RecordingError('the recording has no header');
	}

	return {header, events, truncated};
}
