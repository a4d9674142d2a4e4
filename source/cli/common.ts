import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {isAbsolute, join} from 'node:path';
import {fileStamp} from '../format.js';
import {describeExit} from '../attach/spawn.js';
import {sleep} from '../sleep.js';
import process from 'node:process';
import {CliError, oneLine} from '../errors.js';
import type {TargetState} from '../model/target.js';
import type {EventSink, TargetInfo} from '../events.js';
import type {Session, TargetSource} from '../sample/session.js';
import {startSessions} from '../sample/session-group.js';
import type {Metric} from '../model/snapshot.js';
import {serveMetrics, type MetricsServer} from '../sinks/metrics.js';
import {PyroscopePusher} from '../sinks/pyroscope.js';
import {createRecorder, type Recorder} from '../sinks/recording-writer.js';
import type {Options} from './options.js';
import {armTriggers, type Triggers} from './triggers.js';

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
		return await serveMetrics(read, {host, port, topSites, cwd: process.cwd()});
	} catch (error) {
		throw new CliError(`--metrics ${host}:${port}: cannot listen there (${oneLine(error)})`);
	}
}

export type LiveSession = {
	readonly session: Session;
	readonly recorder: Recorder | undefined;
	readonly pusher: PyroscopePusher | undefined;
	readonly triggers: Triggers | undefined;
};

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

/**
 * Attaches to (or spawns) the target and samples it into `sink` and into the recording asked for. Guards the
 * process meanwhile: a spawned target is ended and the recording gets its end however leaktop exits.
 */
export async function openSession(options: Options, source: TargetSource, sink: EventSink, more: {
	readonly wantedMetric: () => Metric;
	readonly ready?: Promise<unknown>;
	readonly reattach: boolean;
	/** Where an inspector error (and what a trigger wrote) is told once attached. */
	readonly say: (targetId: string, message: string) => void;
	/** The model's state of a target, after `sink` applied an event: what triggers judge. */
	readonly target: (targetId: string) => TargetState | undefined;
}): Promise<LiveSession> {
	// chrome-remote-interface parses inspector frames in a socket callback: garbage from a broken or hostile
	// inspector surfaces here. Before attaching it ends leaktop with one line; after, the status line says it.
	inspectorErrors = error => {
		process.stderr.write(`leaktop: the inspector sent something that is not the DevTools protocol: ${oneLine(error)}\n`);
		process.exit(2);
	};

	const recorder = options.record === undefined ? undefined : createRecorder(options.record, version);
	let targetId: string | undefined;
	const pusher = options.push === undefined ? undefined : new PyroscopePusher({
		...options.push, env: process.env, warn(message) {
			more.say(targetId ?? '', message);
		},
	});
	const infos = new Map<string, TargetInfo>();
	let session: Session | undefined;
	const triggers = options.triggers === undefined ? undefined : armTriggers(options.triggers, {
		handle: targetId => session?.handle(targetId), target: more.target, exportDir: options.exportDir, percentile: options.percentile, say: more.say,
	});
	session = await startSessions({
		...options, wantedMetric: more.wantedMetric, ready: more.ready, reattach: more.reattach,
		emit(event) {
			sink(event);
			recorder?.write(event);
			triggers?.observe(event);
			if (event.type === 'attached') {
				infos.set(event.targetId, event.info);
			}

			const info = infos.get(event.targetId);
			if (event.type === 'snapshot' && info !== undefined) {
				pusher?.push(info, event.snapshot, info.parent === undefined ? info : infos.get(info.parent));
			} else if (event.type === 'exited' && info?.kind === 'worker') {
				// An ended worker sends nothing more; a pool's many would otherwise add up.
				infos.delete(event.targetId);
			}
		},
	}, [source, ...options.alsoInspect]);
	const started = session;
	targetId = started.targetId;
	process.on('exit', () => {
		// Last resort: never leave a spawned target behind, nor a recording without its end.
		started.spawned?.stop();
		recorder?.end(started.targetId, Date.now());
	});
	inspectorErrors = error => {
		more.say(started.targetId, `inspector error: ${oneLine(error)}`);
	};

	return {session: started, recorder, pusher, triggers};
}
