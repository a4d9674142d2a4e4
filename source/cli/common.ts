import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {isAbsolute, join} from 'node:path';
import {fileStamp} from '../format.js';
import {describeExit} from '../attach/spawn.js';
import {sleep} from '../sleep.js';
import process from 'node:process';
import {CliError, oneLine} from '../errors.js';
import type {TargetState} from '../model/target.js';
import type {Session} from '../sample/session.js';
import type {MetricsServer} from '../sinks/metrics.js';
import type {Options} from './options.js';

export const {version} = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string};

/**
 * SIGINT, SIGTERM and SIGHUP end leaktop the orderly way: `stop` aborts, and the mode cleans up. So does the end
 * of whatever reads its output (`| head`, a log collector that died: EPIPE), as SIGPIPE ends other tools; unheard,
 * each failed write's error would be the next line leaktop tries to write.
 */
export function onSignals(stop: AbortController): void {
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			stop.abort();
		});
	}

	for (const stream of [process.stdout, process.stderr]) {
		stream.on('error', () => {
			stop.abort();
		});
	}
}

/** Where an error thrown in a socket callback of the CDP client goes: a broken or hostile inspector's bytes, not a bug. */
let inspectorErrors: ((error: Error) => void) | undefined;

/** Says where errors from the CDP client's parsing go from now on (one line before attaching, the status line after). */
export function onInspectorErrors(handler: (error: Error) => void): void {
	inspectorErrors = handler;
}

/** Whether an uncaught error came from the CDP client's parsing of what an inspector sent. */
export function fromInspector(error: Error): boolean {
	return /[\\/]node_modules[\\/](chrome-remote-interface|ws)[\\/]/.test(error.stack ?? '');
}

/** Writes a bug's stack to a file of its own, and returns its path (undefined when no folder would take it). */
export function writeCrashReport(error: unknown, dir: string): string | undefined {
	try {
		mkdirSync(dir, {recursive: true});
		const path = join(dir, `crash-${process.pid}-${fileStamp()}.txt`);
		writeFileSync(path, `leaktop ${version}, Node ${process.version}, ${new Date().toISOString()}\n${error instanceof Error ? error.stack ?? String(error) : String(error)}\n`);
		return path;
	} catch {
		return undefined;
	}
}

/**
 * Errors nothing caught: an inspector's garbage goes where the session says (one line before attaching, the
 * status line after); anything else is a bug of leaktop's, which ends it the orderly way: the terminal restored,
 * one line on the shell's screen naming the file that holds the stack, exit code 70 (a spawned program is ended
 * and a recording closed by the exit hooks).
 */
export function handleUncaught(restoreTerminal: () => void): void {
	process.on('uncaughtException', error => {
		if (inspectorErrors !== undefined && fromInspector(error)) {
			inspectorErrors(error);
			return;
		}

		restoreTerminal();
		const file = writeCrashReport(error, join(cacheDir(), 'crashes'));
		process.stderr.write(`leaktop: internal error, a bug in leaktop: ${oneLine(error)}${file === undefined ? '' : ` (the stack is in ${file})`}\n`);
		process.exit(70);
	});
}

/** leaktop's folder in the user's cache: $XDG_CACHE_HOME/leaktop, or ~/.cache/leaktop. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
	const cache = env['XDG_CACHE_HOME'] !== undefined && isAbsolute(env['XDG_CACHE_HOME']) ? env['XDG_CACHE_HOME'] : join(homedir(), '.cache');
	return join(cache, 'leaktop');
}

/**
 * Starts `--metrics` when asked: the model's figures for Prometheus, read at each scrape. A port already taken
 * is one line and exit code 2, before anything is attached.
 */
export async function startMetrics(options: Options, read: () => readonly TargetState[]): Promise<MetricsServer | undefined> {
	if (options.metrics === undefined) {
		return undefined;
	}

	const {host, port, topSites} = options.metrics;
	try {
		// prom-client is loaded only when metrics are asked for.
		const {serveMetrics} = await import('../sinks/metrics.js');
		return await serveMetrics(read, {host, port, topSites, cwd: process.cwd()});
	} catch (error) {
		throw new CliError(`--metrics ${host}:${port}: cannot listen there (${oneLine(error)})`);
	}
}

/**
 * A spawned program that ended before anything was sampled failed to start, most often: one line that quotes
 * its last error, instead of an empty report or view. Undefined when that is not what happened.
 */
export async function failedToStart(session: Session, target: TargetState | undefined): Promise<CliError | undefined> {
	if (session.spawned === undefined || target === undefined || target.snapshots > 0 || target.status.kind !== 'exited') {
		return undefined;
	}

	const last = await session.spawned.lastError();
	// The inspector's end can be told before the process's: how the process exited is asked of it.
	const exit = await Promise.race([session.spawned.exited, sleep(2000).then(() => undefined)]);
	const how = exit === undefined ? target.status.reason.replace(/^(the )?target /, '') : `exited (${describeExit(exit)})`;
	return new CliError(`the program ${how} before anything was sampled${last === undefined ? '' : `: ${last}`}`);
}
