import process from 'node:process';
import {render} from 'ink';
import {enterAlternateScreen} from './alternate-screen.js';
import {App} from './app.js';
// ink's line caches kept across frames: a key press redraws in a third of the time (see the module).
import './ink-line-caches.js';
import type {Store} from './store.js';

/** Colour unless the user opted out (NO_COLOR, https://no-color.org) or the terminal cannot show it. */
export function wantsColor(env: NodeJS.ProcessEnv): boolean {
	return env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

/**
 * Renders the live view until the user quits or `stop` aborts (a signal, a fatal error), on the terminal's
 * alternate screen: the shell's lines are back afterwards, and ink never clears the user's scrollback.
 */
export async function runTui(store: Store, stop: AbortSignal): Promise<void> {
	const leaveScreen = enterAlternateScreen();
	const instance = render(
		<App store={store} cwd={process.cwd()} color={wantsColor(process.env)} onQuit={() => instance.unmount()} />,
		{exitOnCtrlC: false, maxFps: 10, patchConsole: false},
	);
	const onStop = () => {
		instance.unmount();
	};

	stop.addEventListener('abort', onStop, {once: true});
	// Stopped while the view was loading (a signal, a program that failed at once): no abort event comes now.
	if (stop.aborted) {
		onStop();
	}

	try {
		await instance.waitUntilExit();
	} finally {
		stop.removeEventListener('abort', onStop);
		leaveScreen();
	}
}
