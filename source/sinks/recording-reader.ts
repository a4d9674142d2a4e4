import {readFileSync} from 'node:fs';
import {CliError, oneLine} from '../errors.js';
import type {EventSink, LeaktopEvent} from '../events.js';
import {decodeRecording, RecordingError, type DecodedRecording} from './recording-format.js';

/** Reads a recording file; a missing, foreign, corrupt or too new file is one clear error. */
export function loadRecording(path: string): DecodedRecording {
	let bytes: Buffer;
	try {
		bytes = readFileSync(path);
	} catch (error) {
		throw new CliError(`--replay ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : oneLine(error)}`);
	}

	try {
		return decodeRecording(bytes);
	} catch (error) {
		if (error instanceof RecordingError) {
			throw new CliError(`--replay ${path}: ${error.message}`);
		}

		throw error;
	}
}

/** When the recorded session ended: its end record, or, after a crash, its last event. */
export function recordingEnd(recording: DecodedRecording): number {
	const last = recording.events.at(-1);
	if (last === undefined) {
		return recording.header.attachedAt;
	}

	return last.time;
}

/**
 * The recording cut into steps: each snapshot with the notices before it, then what came after the last
 * snapshot (the target's exit) as a last step of its own.
 */
export function steps(recording: DecodedRecording): LeaktopEvent[][] {
	const result: LeaktopEvent[][] = [[]];
	for (const event of recording.events) {
		result.at(-1)!.push(event);
		if (event.type === 'snapshot') {
			result.push([]);
		}
	}

	return result;
}

/** Feeds the whole recording to `sink`, exactly as the live session fed its sinks. */
export function replayInto(sink: EventSink, recording: DecodedRecording): void {
	for (const event of recording.events) {
		sink(event);
	}

	if (recording.truncated !== undefined) {
		sink({type: 'notice', targetId: recording.header.target.id, time: recordingEnd(recording), message: recording.truncated, gap: false});
	}
}
