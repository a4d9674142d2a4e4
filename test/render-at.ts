import {EventEmitter} from 'node:events';
import {render} from 'ink';
import type {ReactNode} from 'react';

class Stdout extends EventEmitter {
	lastFrame: string | undefined;
	constructor(public columns: number, public rows: number) {
		super();
	}

	write = (frame: string) => {
		this.lastFrame = frame;
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

/** Like ink-testing-library's render, at a chosen terminal size (it always renders 100 columns wide). */
export function renderAt(tree: ReactNode, columns: number, rows: number) {
	const stdout = new Stdout(columns, rows);
	const stdin = new Stdin();
	const instance = render(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: new Stdout(columns, rows) as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	return {lastFrame: () => stdout.lastFrame, stdin, resize: (width: number, height: number) => stdout.resize(width, height), unmount: instance.unmount};
}
