import type {LeaktopEvent} from '../events.js';
import type {DecodedRecording} from '../sinks/recording-format.js';
import {replayInto, steps} from '../sinks/recording-reader.js';
import {createStore, type Effect, type Store} from '../ui/store.js';
import {onSignals} from './common.js';
import type {Options} from './options.js';
import {loadTui, showStore} from './show.js';

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
	const allSteps = steps(recording);
	/** Applies steps [from, to): step i ends with snapshot i; step `count` is what followed the last one. */
	const apply = (from: number, to: number) => {
		store.applyAll(allSteps.slice(from, to).flat());
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
			// Every target the recording holds starts again: history only grows forward.
			for (const shown of store.getSnapshot().state.targets) {
				store.reset(shown.info.id);
			}

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

	const events: LeaktopEvent[] = [];
	replayInto(event => {
		events.push(event);
	}, recording);
	store.applyAll(events);
	publish();
	const unsubscribe = store.onEffect(act);
	return {
		stop() {
			clearTimeout(timer);
			unsubscribe();
		},
	};
}

/** `--replay` in the TUI: the recording opens at its last snapshot, paused; the replay keys move through it. */
export async function replayTui(options: Options, recording: DecodedRecording): Promise<number> {
	const store = createStore({view: {percentile: options.percentile}, mode: 'replay'});
	const tui = loadTui();
	const player = playRecording(store, recording);
	const stop = new AbortController();
	onSignals(stop);
	try {
		// A replay's export is not part of the recording: said on the status line, until the next key.
		await showStore(store, tui, options, stop.signal, (_targetId, message) => {
			store.dispatch({type: 'say', text: message});
		});
	} finally {
		player.stop();
	}

	return 0;
}
