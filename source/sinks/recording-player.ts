import {readFileSync} from 'node:fs';
import {CliError, oneLine} from '../errors.js';
import {decodeRecording, RecordingError, type DecodedRecording, type RecordedEvent} from './recording-format.js';
import {applyEvent, type Effect, type Store, type TargetEvent} from '../ui/store.js';

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

function targetEvent(event: RecordedEvent): TargetEvent | undefined {
	switch (event.type) {
		case 'snapshot': {
			return event;
		}

		case 'notice': {
			return {type: 'notice', message: event.message, gap: event.gap};
		}

		case 'exited': {
			return {type: 'exited', reason: event.reason};
		}

		case 'end': {
			return undefined;
		}
	}
}

/** When the recorded session ended: its end record, or, after a crash, its last event. */
export function recordingEnd(recording: DecodedRecording): number {
	const last = recording.events.at(-1);
	if (last === undefined) {
		return recording.header.attachedAt;
	}

	return last.type === 'snapshot' ? last.snapshot.time : last.time;
}

/**
 * The recording cut into steps: each snapshot with the notices before it, then what came after the last
 * snapshot (the target's exit) as a last step of its own.
 */
function steps(recording: DecodedRecording): TargetEvent[][] {
	const result: TargetEvent[][] = [[]];
	for (const event of recording.events) {
		const applied = targetEvent(event);
		if (applied !== undefined) {
			result.at(-1)!.push(applied);
		}

		if (event.type === 'snapshot') {
			result.push([]);
		}
	}

	return result;
}

/**
 * Registers the recording's target with the store and feeds it the whole recording, exactly as the live
 * session fed it.
 */
export function replayInto(store: Store, recording: DecodedRecording): void {
	const {target, attachedAt} = recording.header;
	store.addTarget(target, attachedAt);
	for (const step of steps(recording)) {
		for (const event of step) {
			applyEvent(store, target.id, event);
		}
	}

	if (recording.truncated !== undefined) {
		store.notice(target.id, recording.truncated);
	}
}

export const speeds: readonly number[] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];
/** The longest a player waits between two snapshots, however far apart they were recorded. */
const maxWaitMs = 5000;

/**
 * Plays a recording into the store: opens at the last snapshot, paused, so the whole picture is there at once;
 * play, step, jump and change speed by the replay keys. Seeking back rebuilds the target from the start, since
 * history only grows forward.
 */
export function playRecording(store: Store, recording: DecodedRecording): {stop(): void} {
	const times = recording.events.flatMap(event => (event.type === 'snapshot' ? [event.snapshot.time] : []));
	const count = times.length;
	const targetId = recording.header.target.id;
	const allSteps = steps(recording);
	/** Applies steps [from, to): step i ends with snapshot i; step `count` is what followed the last one. */
	const apply = (from: number, to: number) => {
		for (const step of allSteps.slice(from, to)) {
			for (const event of step) {
				applyEvent(store, targetId, event);
			}
		}
	};

	let position = count;
	let playing = false;
	let speedIndex = speeds.indexOf(1);
	let timer: NodeJS.Timeout | undefined;

	const publish = () => {
		store.setReplay({position, count, playing, speed: speeds[speedIndex]!});
	};

	const seek = (to: number) => {
		const target = Math.max(1, Math.min(count, to));
		if (target < position) {
			store.reset(targetId);
			apply(0, target);
		} else {
			apply(position, target);
		}

		if (target === count && position !== count) {
			apply(count, count + 1);
		}

		position = target;
	};

	const schedule = () => {
		clearTimeout(timer);
		if (!playing) {
			return;
		}

		if (position >= count) {
			playing = false;
			publish();
			return;
		}

		const gap = position === 0 ? 0 : times[position]! - times[position - 1]!;
		timer = setTimeout(() => {
			seek(position + 1);
			publish();
			schedule();
		}, Math.min(maxWaitMs, gap / speeds[speedIndex]!));
	};

	const act = (effect: Effect) => {
		switch (effect.type) {
			case 'replay-toggle': {
				playing = !playing;
				if (playing && position >= count) {
					seek(1);
				}

				break;
			}

			case 'replay-step': {
				playing = false;
				seek(position + effect.by);
				break;
			}

			case 'replay-jump': {
				seek(effect.to === 'start' ? 1 : count);
				break;
			}

			case 'replay-speed': {
				speedIndex = Math.max(0, Math.min(speeds.length - 1, speedIndex + effect.by));
				break;
			}

			case 'export': {
				return;
			}
		}

		publish();
		schedule();
	};

	replayInto(store, recording);
	publish();
	const unsubscribe = store.onEffect(act);
	return {
		stop() {
			clearTimeout(timer);
			unsubscribe();
		},
	};
}
