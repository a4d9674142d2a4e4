import process from 'node:process';
import type {WriteStream} from 'node:tty';

/** xterm's alternate screen: the shell's screen and scrollback stay as they were, and come back on leaving. */
const enter = '\u001B[?1049h\u001B[H';
/** The cursor shown again (ink hides it), then the shell's screen back. */
const leave = '\u001B[?25h\u001B[?1049l';

/**
 * Draws on the terminal's alternate screen, as htop and less do, until `leave` — on every way out: the returned
 * function, and the process's exit whatever caused it (a signal handled, an uncaught error), once.
 */
export function enterAlternateScreen(stdout: WriteStream = process.stdout as WriteStream): () => void {
	let inside = true;
	const restore = () => {
		if (inside) {
			inside = false;
			// Ink leaves raw mode on unmount; an exit that skipped it must not leave the shell without echo.
			if (process.stdin.isTTY) {
				process.stdin.setRawMode(false);
			}

			stdout.write(leave);
			process.off('exit', restore);
			current = undefined;
		}
	};

	stdout.write(enter);
	process.on('exit', restore);
	current = restore;
	return restore;
}

let current: (() => void) | undefined;

/** Leaves the alternate screen if leaktop is on it: before a last word meant for the shell's screen. */
export function restoreTerminal(): void {
	current?.();
}
