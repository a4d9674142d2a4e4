import {spawn, type ChildProcess} from 'node:child_process';
import {createWriteStream} from 'node:fs';
import {basename} from 'node:path';
import type {Writable} from 'node:stream';
import {parseInspectAddress, type InspectorAddress} from './address.js';
import {CliError} from '../errors.js';
import {sleep} from '../sleep.js';

export type ChildExit = {readonly code: number | null; readonly signal: NodeJS.Signals | null};

/** Which of the program's streams a line came from. */
export type OutputStream = 'stdout' | 'stderr';

export type SpawnedTarget = {
	readonly pid: number;
	readonly address: InspectorAddress;
	/** The file the program's output is also written to (--log). */
	readonly logPath: string | undefined;
	/**
	 * With `output: 'capture'`, calls `listener` with the program's lines as they arrive (Node's own inspector
	 * chatter left out); those that came before it was called, the newest `keptOutputLines`, first.
	 */
	onOutput(listener: (stream: OutputStream, lines: readonly string[]) => void): void;
	/** Settles once the program exited and its last output was handed on. */
	readonly outputDone: Promise<void>;
	readonly exited: Promise<ChildExit>;
	/** The last error the program printed on stderr (or its last line), to say why it ended: once its stderr closed (1 s at most). */
	lastError(): Promise<string | undefined>;
	/** Ends the child and every process it started (SIGTERM to its process group, then SIGKILL if one lingers) and waits for it. */
	stop(): Promise<ChildExit>;
	/** leaktop ended it while it ran (stop): how it exited then says nothing of the program. */
	readonly stopped: boolean;
	/**
	 * Calls `listener` with the inspector of each Node process the program starts (cluster workers, forks): they
	 * inherit `--inspect-brk` and announce their inspector on the same stderr, then wait for a debugger.
	 */
	onDescendant(listener: (address: InspectorAddress) => void): void;
};

export type SpawnOptions = {
	/** `capture` keeps the child's output for the live view's log pane (onOutput); a stream receives it instead. */
	readonly output: 'capture' | Writable;
	/** A file the child's output is written to as well (--log), appended to. */
	readonly logFile?: string;
	readonly timeoutMs?: number;
};

/** Lines of output held for a listener that has not come yet: the newest. */
export const keptOutputLines = 1000;
/** A line longer than this is cut there: a program that prints without newlines must not grow leaktop. */
const longestLine = 8192;

const inspectFlag = '--inspect-brk=127.0.0.1:0';
/** What Node's inspector itself prints: not the program's words. */
const inspectorChatter = /^(Debugger (listening|attached|ending)|For help, see|Waiting for the debugger|Node\.js v\d)/;

/** The last line that names an error (`Error: Cannot find module …`), else the last line of the program's own. */
export function lastErrorLine(output: string): string | undefined {
	const lines = output.split('\n').map(line => line.trim()).filter(line => line !== '' && !inspectorChatter.test(line));
	const errors = lines.filter(line => /^([\w.]*Error|Uncaught)\b/.test(line));
	return errors.at(-1) ?? lines.at(-1);
}
/** An inspector as Node announces it: a whole line, a loopback address, a UUID. */
const announcement = /^Debugger listening on (ws:\/\/127\.0\.0\.1:(\d{1,5})\/[\da-f-]{36})$/;

/**
 * The inspector a line of the program's stderr announces, if it is Node's own announcement on loopback: the
 * program's output could say anything, and a line quoting another address must not send leaktop there.
 */
export function inspectorAnnounced(line: string): string | undefined {
	const match = announcement.exec(line.trim());
	return match === null || Number(match[2]) > 65_535 || Number(match[2]) === 0 ? undefined : match[1];
}

function isNodeExecutable(command: string): boolean {
	return command === process.execPath || /^(node|nodejs)(\.exe)?$/i.test(basename(command));
}

/** The command with Node's inspector on a free loopback port, paused before the first line. */
export function pausedCommand(command: readonly string[], env: NodeJS.ProcessEnv): {file: string; args: string[]; env: NodeJS.ProcessEnv} {
	const [file, ...args] = command;
	if (file === undefined) {
		throw new CliError('nothing to run after --');
	}

	if (isNodeExecutable(file)) {
		return {file, args: [inspectFlag, ...args], env};
	}

	// Not node itself (a script, npx, …): NODE_OPTIONS reaches the first Node process it starts.
	return {file, args, env: {...env, NODE_OPTIONS: `${env['NODE_OPTIONS'] ?? ''} ${inspectFlag}`.trim()}};
}

export function describeExit({code, signal}: ChildExit): string {
	return signal === null ? `code ${code}` : `signal ${signal}`;
}

// Waits for a line on stdin, which only leaktop holds open: a line means the child was ended already; end of
// file means leaktop itself died without ending it (SIGKILL, the OOM killer), so the child is ended here.
// (Leaktop exiting right after ending the child may not get the line out: then the child is gone already.)
// The child leads a process group of its own: the whole tree it started is ended with it.
const guardScript = 'if read line; then exit 0; fi; kill -TERM "-$1" 2>/dev/null || exit 0; '
	+ 'for i in 1 2 3; do sleep 1; kill -0 "-$1" 2>/dev/null || exit 0; done; kill -KILL "-$1" 2>/dev/null';

/**
 * Ends the child even if leaktop is killed outright: a one-line shell, outside leaktop's process group, waits
 * on a pipe whose other end the kernel closes however leaktop ends. Returns what tells it to stand down.
 */
function guardChild(pid: number): () => void {
	if (process.platform === 'win32') {
		return () => undefined;
	}

	const guard = spawn('/bin/sh', ['-c', guardScript, 'leaktop-guard', String(pid)], {stdio: ['pipe', 'ignore', 'ignore'], detached: true});
	guard.on('error', () => undefined);
	guard.stdin!.on('error', () => undefined);
	guard.unref();
	(guard.stdin as unknown as {unref(): void}).unref();
	return () => {
		guard.stdin!.end('ended\n');
	};
}

/** Signals the child's whole process group (0: only asks whether one of it is left); false when none is. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
	try {
		process.kill(-child.pid!, signal);
		return true;
	} catch {
		return false;
	}
}

/**
 * Starts a command paused with its inspector on a free loopback port, and finds that port from the
 * "Debugger listening on ws://…" line Node prints on stderr.
 */
export async function spawnPaused(command: readonly string[], options: SpawnOptions): Promise<SpawnedTarget> {
	const {file, args, env} = pausedCommand(command, process.env);
	const logFile = options.logFile === undefined ? undefined : createWriteStream(options.logFile, {flags: 'a'});
	logFile?.on('error', () => undefined);
	// Its own process group, so that ending it ends the processes it forked too (cluster workers, child_process.fork).
	const child: ChildProcess = spawn(file, args, {env, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
	const standDown = child.pid === undefined ? () => undefined : guardChild(child.pid);
	const exited = new Promise<ChildExit>(resolve => {
		child.once('exit', (code, signal) => {
			resolve({code, signal});
		});
	});

	let listener: ((stream: OutputStream, lines: readonly string[]) => void) | undefined;
	const held: Array<{stream: OutputStream; line: string}> = [];
	const deliver = (stream: OutputStream, lines: readonly string[]) => {
		const words = lines.filter(line => !inspectorChatter.test(line.trim()));
		if (words.length === 0 || options.output !== 'capture') {
			return;
		}

		if (listener === undefined) {
			held.push(...words.map(line => ({stream, line})));
			held.splice(0, Math.max(0, held.length - keptOutputLines));
		} else {
			listener(stream, words);
		}
	};

	const timeoutMs = options.timeoutMs ?? 10_000;
	let tail = '';
	const announced: string[] = [];
	const descendantListeners: Array<(address: InspectorAddress) => void> = [];
	let announcedOwn: (url: string) => void = () => undefined;
	const splitter = (stream: OutputStream) => {
		let partial = '';
		return {
			write(text: string): string[] {
				const lines = (partial + text).split('\n');
				partial = lines.pop()!;
				if (partial.length > longestLine) {
					lines.push(partial.slice(0, longestLine));
					partial = '';
				}

				deliver(stream, lines);
				return lines;
			},
			flush() {
				if (partial !== '') {
					deliver(stream, [partial]);
					partial = '';
				}
			},
		};
	};

	const lines = {stdout: splitter('stdout'), stderr: splitter('stderr')};
	const sink = options.output === 'capture' ? undefined : options.output;
	child.stdout!.on('data', (chunk: Buffer) => {
		logFile?.write(chunk);
		sink?.write(chunk);
		lines.stdout.write(chunk.toString('utf8'));
	});
	child.stderr!.on('data', (chunk: Buffer) => {
		logFile?.write(chunk);
		sink?.write(chunk);
		const text = chunk.toString('utf8');
		tail = (tail + text).slice(-8192);
		for (const line of lines.stderr.write(text)) {
			// Only Node's own whole-line announcement on loopback counts, the program's own as its children's: a
			// line the program prints that quotes another address must not send leaktop there.
			const url = inspectorAnnounced(line);
			if (url === undefined || announced.includes(url)) {
				continue;
			}

			// The first is the program's own; every later one a process it started.
			announced.push(url);
			if (announced.length === 1) {
				announcedOwn(url);
			} else {
				for (const descendant of descendantListeners) {
					descendant(parseInspectAddress(url));
				}
			}
		}
	});
	// 'exit' can come before the last of stderr: what it said last arrives by 'close'.
	const drained = new Promise<void>(resolve => {
		child.stderr!.once('close', resolve);
	});
	const outputDone = Promise.all([exited, drained]).then(() => {
		standDown();
		lines.stdout.flush();
		lines.stderr.flush();
		logFile?.end();
	});
	const wsUrl = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => {
			reject(new CliError(`${file} did not open an inspector within ${timeoutMs} ms (is it a Node program?)`));
		}, timeoutMs);
		announcedOwn = url => {
			clearTimeout(timer);
			resolve(url);
		};

		child.once('error', (error: NodeJS.ErrnoException) => {
			clearTimeout(timer);
			reject(new CliError(error.code === 'ENOENT' ? `cannot run ${file}: command not found` : `cannot run ${file}: ${error.code ?? error.message}`));
		});
		void exited.then(async exit => {
			clearTimeout(timer);
			await Promise.race([drained, sleep(1000)]);
			const said = lastErrorLine(tail);
			reject(new CliError(`${file} exited (${describeExit(exit)}) before its inspector opened${said === undefined ? '' : `: ${said}`}`));
		});
	}).catch(async (error: unknown) => {
		child.kill('SIGKILL');
		throw error;
	});

	let stopping: Promise<ChildExit> | undefined;
	let hasExited = false;
	let endedRunning = false;
	void exited.then(() => {
		hasExited = true;
	});
	return {
		pid: child.pid!,
		address: parseInspectAddress(wsUrl),
		logPath: options.logFile,
		exited,
		outputDone,
		onOutput(next) {
			listener = next;
			// In the order they came: each run of lines from one stream together.
			let start = 0;
			for (let index = 1; index <= held.length; index++) {
				if (index === held.length || held[index]!.stream !== held[start]!.stream) {
					next(held[start]!.stream, held.slice(start, index).map(entry => entry.line));
					start = index;
				}
			}

			held.length = 0;
		},
		async lastError() {
			await Promise.race([drained, sleep(1000)]);
			return lastErrorLine(tail);
		},
		stop() {
			endedRunning ||= stopping === undefined && !hasExited;
			stopping ??= (async () => {
				signalGroup(child, 'SIGTERM');
				const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 3000);
				timer.unref();
				const exit = await exited;
				clearTimeout(timer);
				// A descendant that outlives the program (a fork that ignores SIGTERM, one still held at its first
				// line) is not left behind, whether the program ended now or before.
				for (let waited = 0; waited < 3000 && signalGroup(child, 0); waited += 100) {
					await sleep(100);
				}

				signalGroup(child, 'SIGKILL');
				return exit;
			})();
			return stopping;
		},
		get stopped() {
			return endedRunning;
		},
		onDescendant(listener) {
			descendantListeners.push(listener);
			for (const url of announced.slice(1)) {
				listener(parseInspectAddress(url));
			}
		},
	};
}

