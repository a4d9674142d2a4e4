import {closeSync, fsyncSync, openSync, writeSync} from 'node:fs';
import {CliError, oneLine} from '../errors.js';
import type {EventSink} from '../events.js';
import {RecordingEncoder} from './recording-format.js';

/** A sink of the event stream that appends every event to a recording file as it arrives. */
export type Recorder = {
	readonly path: string;
	readonly write: EventSink;
	/** Bytes written so far, and how many snapshots. */
	readonly written: {readonly bytes: number; readonly snapshots: number};
	/** Writes the end record of `targetId` and closes the file; does nothing the second time. */
	end(targetId: string, time: number): void;
};

/**
 * Creates the recording file (never over an existing one: it may be evidence someone kept) and returns the
 * sink that fills it. Every record is written whole with one synchronous append, so a crash loses at most
 * the record being written.
 */
export function createRecorder(path: string, version: string): Recorder {
	let fd: number;
	try {
		fd = openSync(path, 'wx');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new CliError(code === 'EEXIST' ? `--record ${path}: the file exists; leaktop never overwrites a recording, choose another name` : `--record ${path}: ${oneLine(error)}`);
	}

	const encoder = new RecordingEncoder(version);
	const written = {bytes: 0, snapshots: 0};
	let open = true;
	const write: EventSink = event => {
		if (!open) {
			return;
		}

		written.bytes += writeSync(fd, encoder.encode(event));
		if (event.type === 'snapshot') {
			written.snapshots++;
		}
	};

	return {
		path,
		written,
		write,
		end(targetId, time) {
			if (!open) {
				return;
			}

			write({type: 'end', targetId, time});
			fsyncSync(fd);
			closeSync(fd);
			open = false;
		},
	};
}
