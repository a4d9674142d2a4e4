import type {Writable} from 'node:stream';
import type {EventSink} from '../events.js';
import {hostPort, parseInspectAddress, resolveAddress, type InspectorAddress} from '../attach/address.js';
import {connect, type Inspector} from '../attach/inspector.js';
import type {Metric} from '../model/snapshot.js';
import {HeavyWork} from './heavy-work.js';
import {sample} from './sampler.js';
import {CliError} from '../errors.js';
import {activateInspector} from '../attach/pid.js';
import {describeExit, spawnPaused, type SpawnedTarget} from '../attach/spawn.js';
import {sleep} from '../sleep.js';

export type TargetSource =
	| {readonly kind: 'inspect'; readonly address: string; readonly allowRemote: boolean}
	| {readonly kind: 'spawn'; readonly command: readonly string[]; readonly output: 'log' | Writable}
	| {readonly kind: 'pid'; readonly pid: number};

export type SessionOptions = {
	readonly source: TargetSource;
	readonly intervalMs: number;
	readonly samplingInterval: number;
	/** See SamplerOptions.adaptSampling. */
	readonly adaptSampling?: boolean;
	/** 0..1 */
	readonly maxOverhead: number;
	readonly readProcess: boolean;
	readonly shareSampler: boolean;
	/** The metric wanted now: the sampler reads it before every poll. */
	readonly wantedMetric: () => Metric;
	/** Settles when leaktop itself is ready for the first poll (see SamplerOptions.ready). */
	readonly ready?: Promise<unknown>;
	/** Where the session's events go: the model, a recording, any sink. */
	readonly emit: EventSink;
	/** When an attached (not spawned) target goes away, wait for it to come back on its address and re-attach. */
	readonly reattach?: boolean;
};

/** One attached target, sampled into the event stream. */
export type Session = {
	readonly targetId: string;
	readonly spawned: SpawnedTarget | undefined;
	/** Settles when sampling ends: stopped, or the target went away. Rejects on a fatal sampler error. */
	readonly done: Promise<void>;
	/** Takes one last poll now, however far the governor stretched the interval, and ends sampling. */
	finish(): Promise<void>;
	/** Takes a poll now instead of when the governor would (the user asked, knowing it costs a full GC). */
	pollNow(): void;
	/** Stops sampling (stopping the sampler it started), detaches, and ends a spawned target. */
	stop(): Promise<void>;
	/** The target's inspector, for the heavy operations the user asks for (heap snapshot, forced GC): run them in `heavy`. */
	readonly inspector: Pick<Inspector, 'takeHeapSnapshot' | 'collectGarbage'>;
	readonly heavy: HeavyWork;
};

async function openTarget(source: TargetSource): Promise<{address: InspectorAddress; spawned: SpawnedTarget | undefined}> {
	if (source.kind === 'spawn') {
		const spawned = await spawnPaused(source.command, {output: source.output});
		return {address: spawned.address, spawned};
	}

	if (source.kind === 'pid') {
		return {address: await activateInspector(source.pid), spawned: undefined};
	}

	return {address: await resolveAddress(parseInspectAddress(source.address), source.allowRemote), spawned: undefined};
}

/** Waits for a target to answer on the address again, then connects; undefined when stopped first. */
async function reconnect(address: InspectorAddress, signal: AbortSignal): Promise<Inspector | undefined> {
	while (!signal.aborted) {
		await sleep(reconnectPollMs, signal);
		if (signal.aborted) {
			return undefined;
		}

		const next = await connect(address, {timeoutMs: 2000}).catch(() => undefined);
		if (next !== undefined) {
			return next;
		}
	}

	return undefined;
}

const reconnectPollMs = 1000;
const stopGraceMs = 2000;
const finishGraceMs = 20_000;

/** With --pid, port 9229 may belong to another process's inspector: the one read-only expression tells. */
async function checkPid(inspector: Inspector, source: TargetSource, readProcess: boolean): Promise<void> {
	if (source.kind !== 'pid' || !readProcess) {
		return;
	}

	const {pid} = await inspector.readProcess();
	if (pid !== source.pid) {
		throw new CliError(`--pid ${source.pid}: 127.0.0.1:9229 is held by the inspector of process ${pid}, so process ${source.pid} could not open its own there`);
	}
}

let sessions = 0;

/** Attaches to a target (spawning it first if asked), announces it on the event stream and samples it into it. */
export async function startSession(options: SessionOptions): Promise<Session> {
	const {address, spawned} = await openTarget(options.source);
	let inspector: Inspector;
	try {
		inspector = await connect(address);
		await checkPid(inspector, options.source, options.readProcess).catch(async (error: unknown) => {
			await inspector.close();
			throw error;
		});
	} catch (error) {
		await spawned?.stop();
		throw error;
	}

	sessions++;
	const targetId = `${sessions}:${inspector.target.id}`;
	const info = {
		id: targetId,
		title: inspector.target.title,
		url: inspector.target.url,
		pid: spawned?.pid ?? (options.source.kind === 'pid' ? options.source.pid : undefined),
		logPath: spawned?.logPath,
		otherTargets: inspector.otherTargets,
	};
	options.emit({type: 'attached', targetId, time: Date.now(), info, samplingInterval: options.samplingInterval});
	const notice = (message: string, gap = false) => {
		options.emit({type: 'notice', targetId, time: Date.now(), message, gap});
	};

	const exited = (reason: string) => {
		options.emit({type: 'exited', targetId, time: Date.now(), reason});
	};

	if (!options.readProcess) {
		notice('--no-eval: rss, external memory, pid and uptime are not read, and growth outside the JS heap goes unnoticed');
	}

	const controller = new AbortController();
	const finishing = new AbortController();
	const pollNow = new EventTarget();
	const heavy = new HeavyWork();
	const watchClose = (current: Inspector) => {
		current.onClose(reason => {
			if (!controller.signal.aborted) {
				exited(options.reattach === true && spawned === undefined ? `${reason}; waiting for it to come back on ${hostPort(address.host, address.port)}` : reason);
			}
		});
	};

	watchClose(inspector);
	void spawned?.exited.then(exit => {
		if (!controller.signal.aborted) {
			exited(`target exited (${describeExit(exit)})`);
		}
	});

	const sampleWith = async (current: Inspector) => {
		for await (const event of sample(current, {
			targetId,
			intervalMs: options.intervalMs,
			samplingInterval: options.samplingInterval,
			adaptSampling: options.adaptSampling,
			maxOverhead: options.maxOverhead,
			readMemory: options.readProcess,
			shareSampler: options.shareSampler,
			signal: controller.signal,
			finish: finishing.signal,
			onSampling: spawned === undefined ? undefined : async () => current.runIfWaitingForDebugger(),
			metric: options.wantedMetric,
			ready: options.ready,
			pollNow,
			heavy,
		})) {
			if (event.type === 'snapshot') {
				options.emit({type: 'snapshot', targetId, time: event.snapshot.time, snapshot: event.snapshot});
			} else if (event.type === 'gauges') {
				options.emit({...event, targetId});
			} else {
				notice(event.message, event.gap === true);
			}
		}
	};

	const done = (async () => {
		await sampleWith(inspector);
		// A target restarted on the same address (a deploy, a crash and a supervisor) is followed: re-attach,
		// restart sampling, and mark the break in history.
		while (options.reattach === true && spawned === undefined && !controller.signal.aborted && !finishing.signal.aborted) {
			const next = await reconnect(address, controller.signal);
			if (next === undefined) {
				break;
			}

			inspector = next;
			watchClose(next);
			options.emit({type: 'attached', targetId, time: Date.now(), info, samplingInterval: options.samplingInterval, reattached: 're-attached: the target restarted; history has a break here'});
			await sampleWith(next);
		}
	})();

	let stopping: Promise<void> | undefined;
	return {
		targetId,
		spawned,
		done,
		heavy,
		get inspector() {
			return inspector;
		},
		pollNow() {
			pollNow.dispatchEvent(new Event('poll'));
		},
		async finish() {
			finishing.abort();
			// A poll of a 2 GB heap takes seconds; a stalled one is given up after a while.
			await Promise.race([done.catch(() => undefined), sleep(finishGraceMs)]);
		},
		stop() {
			stopping ??= (async () => {
				controller.abort();
				// The sampler stops what it started on its way out; a stalled inspector gets two seconds for that.
				await Promise.race([done.catch(() => undefined), sleep(stopGraceMs)]);
				await inspector.close();
				await done.catch(() => undefined);
				await spawned?.stop();
			})();
			return stopping;
		},
	};
}
