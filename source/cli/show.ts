import {basename, join} from 'node:path';
import process from 'node:process';
import {Sources} from '../attach/script-files.js';
import {oneLine} from '../errors.js';
import {fileStamp} from '../format.js';
import {writeExports} from '../sinks/exports.js';
import type {Store} from '../ui/store.js';
import type {Options} from './options.js';
import type {Commands} from './run.js';
import {watchSources} from './resolve-sources.js';

/** Ink draws nothing until exit when it believes it runs in CI; a terminal on stdout is a user watching. */
export function prepareTerminal(): void {
	delete process.env['CI'];
	delete process.env['CONTINUOUS_INTEGRATION'];
	// React's development build, the default, draws a frame ~30% slower (npm run bench).
	process.env['NODE_ENV'] ??= 'production';
}

/** Loads the TUI (ink, yoga's WebAssembly: most of a second), after preparing the terminal for it. */
export function loadTui() {
	prepareTerminal();
	return import('../ui/tui.js');
}

/** Where a TUI's outcome of a key goes: live, down the run's stream (recorded too); in a replay, the status line. */
type Say = Commands['say'];

/** `e` in the TUI: exports the view's target and comparison, saying where. */
function exportOnKey(store: Store, exportDir: string | undefined, say: Say): () => void {
	return store.onEffect(effect => {
		const {data} = store.getSnapshot();
		if (effect.type !== 'export' || data === undefined) {
			return;
		}

		const id = data.target.info.id;
		const dir = exportDir ?? join(process.cwd(), `leaktop-export-${fileStamp()}`);
		try {
			// Written at once, before the view can draw again: only the outcome is said.
			const files = writeExports(dir, data.target, data.comparison, () => undefined);
			// The folder first: on a narrow terminal the status line is cut at its end.
			say(id, `exported to ${dir}: ${files.map(file => basename(file)).join(', ')}`);
		} catch (error) {
			say(id, `export failed: ${oneLine(error)}`);
		}
	});
}

/**
 * Shows the store in the TUI until the user quits or `stop` aborts, with what every mode's TUI answers:
 * exports on `e` and the user's source files for original locations and the drill-down.
 */
export async function showStore(store: Store, tui: ReturnType<typeof loadTui>, options: Options, stop: AbortSignal, say: Say): Promise<void> {
	const {runTui} = await tui;
	const stopExports = exportOnKey(store, options.exportDir, say);
	const stopSources = watchSources(store, new Sources());
	try {
		await runTui(store, stop);
	} finally {
		stopSources();
		stopExports();
	}
}
