import type {Writable} from 'node:stream';
import type {EventSink} from '../events.js';
import {hostPort, parseInspectAddress, resolveAddress, type InspectorAddress} from '../attach/address.js';
import {connect, type Inspector} from '../attach/inspector.js';
import type {Metric} from '../model/snapshot.js';
import {budgetShare} from './governor.js';
import {HeavyWork} from './heavy-work.js';
import {sample} from './sampler.js';
import {CliError, oneLine} from '../errors.js';
import {activateInspector} from '../attach/pid.js';
import {describeExit, spawnPaused, type OutputStream, type SpawnedTarget} from '../attach/spawn.js';
import {sleep} from '../sleep.js';

export type TargetSource =
	| {readonly kind: 'inspect'; readonly address: string; readonly allowRemote: boolean}
	| {readonly kind: 'spawn'; readonly command: readonly string[]; readonly output: 'capture' | Writable; readonly logFile?: string}
	| {readonly kind: 'pid'; readonly pid: number};

/** A process a spawned program started, waiting at its first line for a debugger; `parent`: the program's target id. */
type Descendant = {readonly kind: 'descendant'; readonly address: InspectorAddress; readonly parent: string};

export type SessionOptions = {
	readonly source: TargetSource | Descendant;
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

/** What the heavy operations a user asks for need of one target (a process or one of its workers). */
export type TargetHandle = {
	/** Takes a poll now instead of when the governor would (the user asked, knowing it costs a full GC). */
	pollNow(): void;
	/** The target's inspector, for the heavy operations the user asks for (heap snapshot, forced GC): run them in `heavy`. */
	readonly inspector: Pick<Inspector, 'takeHeapSnapshot' | 'collectGarbage'>;
	readonly heavy: HeavyWork;
};

/** One attached process and its worker threads, each a target sampled into the event stream. */
export type Session = {
	/** The process's target id; its workers' ids start with it. */
	readonly targetId: string;
	readonly spawned: SpawnedTarget | undefined;
	/** Settles when sampling ends: stopped, or the target went away. Rejects on a fatal sampler error. */
	readonly done: Promise<void>;
	/** Takes one last poll now, however far the governor stretched the interval, and ends sampling. */
	finish(): Promise<void>;
	/** Stops sampling (stopping the samplers it started), detaches, and ends a spawned target. */
	stop(): Promise<void>;
	/** The handle of a target this session samples (undefined once it is gone). */
	handle(targetId: string): TargetHandle | undefined;
};

async function openTarget(source: TargetSource | Descendant): Promise<{address: InspectorAddress; spawned: SpawnedTarget | undefined}> {
	if (source.kind === 'descendant') {
		return {address: source.address, spawned: undefined};
	}

	if (source.kind === 'spawn') {
		const spawned = await spawnPaused(source.command, {output: source.output, logFile: source.logFile});
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
/** How long a program whose inspector closed is given to be seen exiting, so its exit code is not lost. */
const exitGraceMs = 10_000;

/** With --pid, port 9229 may belong to another process's inspector: the one read-only expression tells. */
async function checkPid(inspector: Inspector, source: TargetSource | Descendant, readProcess: boolean): Promise<void> {
	if (source.kind !== 'pid' || !readProcess) {
		return;
	}

	const {pid} = await inspector.readProcess();
	if (pid !== source.pid) {
		throw new CliError(`--pid ${source.pid}: 127.0.0.1:9229 is held by the inspector of process ${pid}, so process ${source.pid} could not open its own there`);
	}
}

let sessions = 0;

/** How often a spawned program's lines go out on the stream, together: a chatty program must not redraw the view per line. */
const outputEveryMs = 250;

/**
 * A spawned program's output on the event stream: its lines, batched, a stream's run at a time and in order.
 * Returns what sends the last of them (when the program's streams closed, or sampling stopped).
 */
function streamOutput(spawned: SpawnedTarget, targetId: string, emit: EventSink): () => void {
	const waiting: Array<{stream: OutputStream; lines: string[]}> = [];
	const send = () => {
		for (const {stream, lines} of waiting.splice(0)) {
			emit({type: 'output', targetId, time: Date.now(), stream, lines});
		}
	};

	const timer = setInterval(send, outputEveryMs);
	timer.unref();
	spawned.onOutput((stream, lines) => {
		const last = waiting.at(-1);
		if (last?.stream === stream) {
			last.lines.push(...lines);
		} else {
			waiting.push({stream, lines: [...lines]});
		}
	});
	return () => {
		clearInterval(timer);
		send();
	};
}

/** Attaches to a target (spawning it first if asked), announces it on the event stream and samples it into it, with its worker threads. */
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
	const {source} = options;
	// Held at its first line until sampling is on: a program leaktop started, or a process that program started.
	const paused = spawned !== undefined || source.kind === 'descendant';
	// Otherwise the memory figures name it, once read (a silent inspector must not hold the start-up here).
	const pid = spawned?.pid ?? (source.kind === 'pid' ? source.pid : undefined);
	const info = {
		id: targetId,
		title: inspector.target.title,
		url: inspector.target.url,
		pid,
		logPath: spawned?.logPath,
		...(spawned === undefined ? {} : {started: true}),
		otherTargets: inspector.otherTargets,
		kind: 'process' as const,
		...(source.kind === 'descendant' ? {parent: source.parent} : {}),
	};
	options.emit({type: 'attached', targetId, time: Date.now(), info, samplingInterval: options.samplingInterval});
	const stopOutput = spawned === undefined ? undefined : streamOutput(spawned, targetId, options.emit);
	const notice = (id: string, message: string, gap = false) => {
		options.emit({type: 'notice', targetId: id, time: Date.now(), message, gap});
	};

	const exited = (id: string, reason: string, exit?: {code: number | null; signal: string | null}) => {
		options.emit({type: 'exited', targetId: id, time: Date.now(), reason, ...(exit === undefined ? {} : {exit})});
	};

	if (source.kind === 'pid') {
		notice(targetId, `process ${source.pid} now listens on 127.0.0.1:9229 for the rest of its life (SIGUSR1 opened its inspector; only a restart closes it)`);
	}

	if (!options.readProcess) {
		notice(targetId, '--no-eval: rss, pid and uptime are not read; external memory only from Node 24 on (its heap usage reports backing stores), and growth outside the JS heap goes unnoticed before it');
	}

	const controller = new AbortController();
	const finishing = new AbortController();
	/** Each isolate sampled, with how to let go of it: resumed first if it is still held at its first line. */
	const handles = new Map<string, TargetHandle & {inspector: Inspector; release(): Promise<void>}>();
	const release = async (current: Inspector, held: boolean) => {
		if (held) {
			await current.runIfWaitingForDebugger().catch(() => undefined);
		}

		await current.close();
	};
	const running = new Set<Promise<void>>();
	// The process's budget is shared by the isolates it runs (a worker's polls pause its own thread, on the same
	// CPUs), in proportion to their heaps: see budgetShare.
	let isolates = 1;
	const heaps = new Map<string, number>();
	const budget = (id: string) => () => options.maxOverhead * budgetShare(heaps, id, isolates);

	/** Samples one isolate into the stream until it goes away or sampling stops. */
	const sampleIsolate = async (current: Inspector, id: string, resume: boolean) => {
		const pollNow = new EventTarget();
		const heavy = handles.get(id)?.heavy ?? new HeavyWork();
		let held = resume;
		handles.set(id, {inspector: current, heavy, pollNow: () => pollNow.dispatchEvent(new Event('poll')), release: async () => release(current, held)});
		for await (const event of sample(current, {
			targetId: id,
			intervalMs: options.intervalMs,
			samplingInterval: options.samplingInterval,
			adaptSampling: options.adaptSampling,
			maxOverhead: budget(id),
			readMemory: options.readProcess,
			shareSampler: options.shareSampler,
			signal: controller.signal,
			finish: finishing.signal,
			onSampling: resume
				? async () => {
					await current.runIfWaitingForDebugger();
					held = false;
				}
				: undefined,
			metric: options.wantedMetric,
			ready: options.ready,
			pollNow,
			heavy,
		})) {
			if (event.type === 'snapshot') {
				heaps.set(id, event.snapshot.heap.usedSize);
				options.emit({type: 'snapshot', targetId: id, time: event.snapshot.time, snapshot: event.snapshot});
			} else if (event.type === 'gauges') {
				heaps.set(id, event.heap.usedSize);
				options.emit({...event, targetId: id});
			} else {
				notice(id, event.message, event.gap === true);
			}
		}
	};

	let workerSerial = 0;
	const followWorkers = (current: Inspector) => {
		current.watchWorkers(paused, worker => {
			if (controller.signal.aborted) {
				void release(worker.inspector, worker.waitingForDebugger);
				return;
			}

			const id = `${targetId}/w${++workerSerial}`;
			options.emit({
				type: 'attached', targetId: id, time: Date.now(), samplingInterval: options.samplingInterval,
				info: {id, title: worker.title || `worker ${worker.workerId}`, url: worker.url, pid, logPath: undefined, otherTargets: 0, kind: 'worker', parent: targetId},
			});
			isolates++;
			worker.inspector.onClose(reason => {
				if (!controller.signal.aborted) {
					exited(id, reason);
				}
			});
			const done = sampleIsolate(worker.inspector, id, worker.waitingForDebugger).catch((error: unknown) => {
				notice(id, `sampling this worker failed: ${oneLine(error)}`);
			}).finally(async () => {
				isolates--;
				heaps.delete(id);
				// A worker held at its first line is let go even when it could not be sampled.
				const handle = handles.get(id);
				handles.delete(id);
				await (handle?.release() ?? release(worker.inspector, worker.waitingForDebugger));
			});
			running.add(done);
			void done.finally(() => running.delete(done));
		}).catch((error: unknown) => {
			notice(targetId, `worker threads are not followed: ${oneLine(error)}`);
		});
	};

	const watchClose = (current: Inspector) => {
		current.onClose(reason => {
			if (!controller.signal.aborted) {
				exited(targetId, options.reattach === true && spawned === undefined ? `${reason}; waiting for it to come back on ${hostPort(address.host, address.port)}` : reason);
			}
		});
	};

	watchClose(inspector);
	void spawned?.exited.then(exit => {
		if (!controller.signal.aborted) {
			exited(targetId, `target exited (${describeExit(exit)})`, {code: exit.code, signal: exit.signal});
		}

		// Its last lines still in the pipes go out when they are read (the log pane puts its end after them).
		void spawned.outputDone.then(stopOutput);
	});

	const done = (async () => {
		followWorkers(inspector);
		await sampleIsolate(inspector, targetId, paused).catch(async (error: unknown) => {
			// Never leave a process held at its first line because it could not be sampled.
			if (paused) {
				await inspector.runIfWaitingForDebugger().catch(() => undefined);
			}

			throw error;
		});
		if (spawned !== undefined && !controller.signal.aborted && !finishing.signal.aborted) {
			// Its inspector closed as the program ended: the exit (and its code) is seen a moment later, and the
			// session is not done before it, or stopping the session would take it for an exit leaktop caused.
			await Promise.race([spawned.exited, sleep(exitGraceMs, controller.signal)]);
		}

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
			followWorkers(next);
			await sampleIsolate(next, targetId, false);
		}
	})();

	let stopping: Promise<void> | undefined;
	return {
		targetId,
		spawned,
		done,
		handle(id) {
			return handles.get(id);
		},
		async finish() {
			finishing.abort();
			// A poll of a 2 GB heap takes seconds; a stalled one is given up after a while.
			await Promise.race([Promise.all([done, ...running]).catch(() => undefined), sleep(finishGraceMs)]);
		},
		stop() {
			stopping ??= (async () => {
				controller.abort();
				// The samplers stop what they started on their way out; a stalled inspector gets two seconds for that.
				await Promise.race([Promise.all([done, ...running]).catch(() => undefined), sleep(stopGraceMs)]);
				await Promise.all([...handles.values()].map(async handle => handle.release()));
				await inspector.close();
				await done.catch(() => undefined);
				await spawned?.stop();
				stopOutput?.();
			})();
			return stopping;
		},
	};
}
