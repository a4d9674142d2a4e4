import {EventEmitter} from 'node:events';
import {render} from 'ink';
import type {ReactNode} from 'react';
// Frames drawn as leaktop draws them (source/ui/tui.tsx loads it too).
import '../source/ui/ink-line-caches.js';

class Stdout extends EventEmitter {
	lastFrame: string | undefined;
	isTTY = true;
	/** Every byte written, as a terminal would receive it. */
	written = 0;
	writes = 0;
	constructor(public columns: number, public rows: number) {
		super();
	}

	write = (frame: string) => {
		this.lastFrame = frame;
		this.written += Buffer.byteLength(frame);
		this.writes++;
		return true;
	};

	resize(columns: number, rows: number) {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

class Stdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	write = (data: string) => {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	};

	read = () => {
		const {data} = this;
		this.data = null;
		return data;
	};

	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

/**
 * Like ink-testing-library's render, at a chosen terminal size (it always renders 100 columns wide). `terminal`:
 * render as to a real terminal instead (each write is then what changed, not the whole frame), unthrottled,
 * with ink's incremental rendering or without.
 */
export function renderAt(tree: ReactNode, columns: number, rows: number, terminal?: {readonly incremental: boolean}) {
	const stdout = new Stdout(columns, rows);
	const stdin = new Stdin();
	const instance = render(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: new Stdout(columns, rows) as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: terminal === undefined,
		exitOnCtrlC: false,
		patchConsole: false,
		...(terminal === undefined ? {} : {maxFps: 0, incrementalRendering: terminal.incremental}),
	});
	return {
		lastFrame: () => stdout.lastFrame,
		written: () => ({bytes: stdout.written, writes: stdout.writes}),
		stdin,
		resize: (width: number, height: number) => stdout.resize(width, height),
		unmount: instance.unmount,
	};
}
