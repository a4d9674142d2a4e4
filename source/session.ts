import type {Writable} from 'node:stream';
import {parseInspectAddress, resolveAddress, type InspectorAddress} from './address.js';
import {connect, type Inspector} from './inspector.js';
import {sample, type Metric} from './sampler.js';
import {describeExit, spawnPaused, type SpawnedTarget} from './spawn-target.js';
import type {Store} from './store.js';

export type TargetSource =
	| {readonly kind: 'inspect'; readonly address: string; readonly allowRemote: boolean}
	| {readonly kind: 'spawn'; readonly command: readonly string[]; readonly output: 'log' | Writable};

export type SessionOptions = {
	readonly source: TargetSource;
	readonly intervalMs: number;
	readonly samplingInterval: number;
	/** 0..1 */
	readonly maxOverhead: number;
	readonly readProcess: boolean;
	readonly shareSampler: boolean;
	/** The metric wanted now: the sampler reads it before every poll. */
	readonly wantedMetric: () => Metric;
};

/** One attached target feeding the store. */
export type Session = {
	readonly targetId: string;
	readonly spawned: SpawnedTarget | undefined;
	/** Settles when sampling ends: stopped, or the target went away. Rejects on a fatal sampler error. */
	readonly done: Promise<void>;
	/** Stops sampling (stopping the sampler it started), detaches, and ends a spawned target. */
	stop(): Promise<void>;
};

async function openTarget(source: TargetSource): Promise<{address: InspectorAddress; spawned: SpawnedTarget | undefined}> {
	if (source.kind === 'spawn') {
		const spawned = await spawnPaused(source.command, {output: source.output});
		return {address: spawned.address, spawned};
	}

	return {address: await resolveAddress(parseInspectAddress(source.address), source.allowRemote), spawned: undefined};
}

let sessions = 0;

/** Attaches to a target (spawning it first if asked), registers it with the store and starts sampling into it. */
export async function startSession(store: Store, options: SessionOptions): Promise<Session> {
	const {address, spawned} = await openTarget(options.source);
	let inspector: Inspector;
	try {
		inspector = await connect(address);
	} catch (error) {
		await spawned?.stop();
		throw error;
	}

	sessions++;
	const targetId = `${sessions}:${inspector.target.id}`;
	store.addTarget({
		id: targetId,
		title: inspector.target.title,
		url: inspector.target.url,
		pid: spawned?.pid,
		logPath: spawned?.logPath,
		otherTargets: inspector.otherTargets,
	});

	if (!options.readProcess) {
		store.notice(targetId, '--no-eval: rss, external memory, pid and uptime are not read, and growth outside the JS heap goes unnoticed');
	}

	const controller = new AbortController();
	inspector.onClose(reason => {
		if (!controller.signal.aborted) {
			store.exited(targetId, reason);
		}
	});
	void spawned?.exited.then(exit => {
		if (!controller.signal.aborted) {
			store.exited(targetId, `target exited (${describeExit(exit)})`);
		}
	});

	const done = (async () => {
		for await (const event of sample(inspector, {
			targetId,
			intervalMs: options.intervalMs,
			samplingInterval: options.samplingInterval,
			maxOverhead: options.maxOverhead,
			readMemory: options.readProcess,
			shareSampler: options.shareSampler,
			signal: controller.signal,
			onSampling: spawned === undefined ? undefined : async () => inspector.runIfWaitingForDebugger(),
			metric: options.wantedMetric,
		})) {
			if (event.type === 'snapshot') {
				store.ingest(event.snapshot);
			} else {
				if (event.gap === true) {
					store.gap(targetId);
				}

				store.notice(targetId, event.message);
			}
		}
	})();

	let stopping: Promise<void> | undefined;
	return {
		targetId,
		spawned,
		done,
		stop() {
			stopping ??= (async () => {
				controller.abort();
				await done.catch(() => undefined);
				await inspector.close();
				await spawned?.stop();
			})();
			return stopping;
		},
	};
}
