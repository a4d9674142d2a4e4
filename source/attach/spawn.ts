import {spawn, type ChildProcess} from 'node:child_process';
import {createWriteStream, type WriteStream} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import type {Writable} from 'node:stream';
import {parseInspectAddress, type InspectorAddress} from './address.js';
import {CliError} from '../errors.js';
import {sleep} from '../sleep.js';

export type ChildExit = {readonly code: number | null; readonly signal: NodeJS.Signals | null};

export type SpawnedTarget = {
	readonly pid: number;
	readonly address: InspectorAddress;
	/** Where the child's output goes when it is kept out of the terminal. */
	readonly logPath: string | undefined;
	readonly exited: Promise<ChildExit>;
	/** The last error the program printed on stderr (or its last line), to say why it ended: once its stderr closed (1 s at most). */
	lastError(): Promise<string | undefined>;
	/** Ends the child and every process it started (SIGTERM to its process group, then SIGKILL if one lingers) and waits for it. */
	stop(): Promise<ChildExit>;
	/**
	 * Calls `listener` with the inspector of each Node process the program starts (cluster workers, forks): they
	 * inherit `--inspect-brk` and announce their inspector on the same stderr, then wait for a debugger.
	 */
	onDescendant(listener: (address: InspectorAddress) => void): void;
};

export type SpawnOptions = {
	/** `log` writes the child's output to a temporary file; a stream receives it instead. */
	readonly output: 'log' | Writable;
	readonly timeoutMs?: number;
};

const inspectFlag = '--inspect-brk=127.0.0.1:0';
/** What Node's inspector itself prints: not the program's words. */
const inspectorChatter = /^(Debugger (listening|attached|ending)|For help, see|Waiting for the debugger|Node\.js v\d)/;

/** The last line that names an error (`Error: Cannot find module …`), else the last line of the program's own. */
export function lastErrorLine(output: string): string | undefined {
	const lines = output.split('\n').map(line => line.trim()).filter(line => line !== '' && !inspectorChatter.test(line));
	const errors = lines.filter(line => /^([\w.]*Error|Uncaught)\b/.test(line));
	return errors.at(-1) ?? lines.at(-1);
}
const listening = /Debugger listening on (ws:\/\/\S+)/;
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
	const logPath = options.output === 'log' ? join(tmpdir(), `leaktop-${process.pid}-${Date.now().toString(36)}.log`) : undefined;
	const sink: Writable = logPath === undefined ? (options.output as Writable) : createWriteStream(logPath);
	// Its own process group, so that ending it ends the processes it forked too (cluster workers, child_process.fork).
	const child: ChildProcess = spawn(file, args, {env, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
	child.stdout!.pipe(sink, {end: false});
	const standDown = child.pid === undefined ? () => undefined : guardChild(child.pid);
	const exited = new Promise<ChildExit>(resolve => {
		child.once('exit', (code, signal) => {
			resolve({code, signal});
		});
	});
	void exited.then(() => {
		standDown();
		if (sink !== options.output) {
			(sink as WriteStream).end();
		}
	});

	const timeoutMs = options.timeoutMs ?? 10_000;
	let tail = '';
	const announced: string[] = [];
	const descendantListeners: Array<(address: InspectorAddress) => void> = [];
	let partial = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		tail = (tail + chunk.toString('utf8')).slice(-8192);
		const lines = (partial + chunk.toString('utf8')).split('\n');
		partial = lines.pop()!.slice(-4096);
		for (const line of lines) {
			const url = inspectorAnnounced(line);
			if (url === undefined || announced.includes(url)) {
				continue;
			}

			// The first is the program's own; every later one a process it started.
			announced.push(url);
			if (announced.length > 1) {
				for (const listener of descendantListeners) {
					listener(parseInspectAddress(url));
				}
			}
		}
	});
	// 'exit' can come before the last of stderr: what it said last arrives by 'close'.
	const drained = new Promise<void>(resolve => {
		child.stderr!.once('close', resolve);
	});
	const wsUrl = await new Promise<string>((resolve, reject) => {
		let seen = '';
		const timer = setTimeout(() => {
			reject(new CliError(`${file} did not open an inspector within ${timeoutMs} ms (is it a Node program?)`));
		}, timeoutMs);
		const onData = (chunk: Buffer) => {
			sink.write(chunk);
			seen = (seen + chunk.toString('utf8')).slice(-4096);
			const match = listening.exec(seen);
			if (match !== null) {
				clearTimeout(timer);
				child.stderr!.off('data', onData);
				child.stderr!.pipe(sink, {end: false});
				resolve(match[1]!);
			}
		};

		child.stderr!.on('data', onData);
		child.once('error', (error: NodeJS.ErrnoException) => {
			clearTimeout(timer);
			reject(new CliError(error.code === 'ENOENT' ? `cannot run ${file}: command not found` : `cannot run ${file}: ${error.code ?? error.message}`));
		});
		void exited.then(exit => {
			clearTimeout(timer);
			reject(new CliError(`${file} exited (${describeExit(exit)}) before its inspector opened${logPath === undefined ? '' : `; its output is in ${logPath}`}`));
		});
	}).catch(async (error: unknown) => {
		child.kill('SIGKILL');
		throw error;
	});

	let stopping: Promise<ChildExit> | undefined;
	return {
		pid: child.pid!,
		address: parseInspectAddress(wsUrl),
		logPath,
		exited,
		async lastError() {
			await Promise.race([drained, sleep(1000)]);
			return lastErrorLine(tail);
		},
		stop() {
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
		onDescendant(listener) {
			descendantListeners.push(listener);
			for (const url of announced.slice(1)) {
				listener(parseInspectAddress(url));
			}
		},
	};
}

