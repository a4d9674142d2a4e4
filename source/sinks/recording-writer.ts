import {closeSync, fsyncSync, openSync, writeSync} from 'node:fs';
import {CliError, oneLine} from '../errors.js';
import {RecordingEncoder} from './recording-format.js';
import type {RawSnapshot} from '../sample/sampler.js';
import type {SessionObserver} from '../sample/session.js';
import type {TargetInfo} from '../ui/store.js';

/** A session observer that appends everything to a recording file as it arrives. */
export type Recorder = SessionObserver & {
	readonly path: string;
	/** Bytes written so far, and how many snapshots. */
	readonly written: {readonly bytes: number; readonly snapshots: number};
	/** Writes the end record and closes the file. */
	end(time: number): void;
};

/**
 * Creates the recording file (never over an existing one: it may be evidence someone kept) and returns the
 * observer that fills it. Every record is written whole with one synchronous append, so a crash loses at most
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

	const encoder = new RecordingEncoder();
	const written = {bytes: 0, snapshots: 0};
	let open = true;
	const write = (bytes: Buffer) => {
		if (open) {
			written.bytes += writeSync(fd, bytes);
		}
	};

	return {
		path,
		written,
		target(info: TargetInfo, attachedAt: number, samplingInterval: number) {
			write(encoder.header(info, attachedAt, samplingInterval, version));
		},
		snapshot(snapshot: RawSnapshot) {
			write(encoder.snapshot(snapshot));
			written.snapshots++;
		},
		notice(time, message, gap) {
			write(encoder.event({type: 'notice', time, message, gap}));
		},
		exited(time, reason) {
			write(encoder.event({type: 'exited', time, reason}));
		},
		end(time) {
			if (!open) {
				return;
			}

			write(encoder.event({type: 'end', time}));
			fsyncSync(fd);
			closeSync(fd);
			open = false;
		},
	};
}
