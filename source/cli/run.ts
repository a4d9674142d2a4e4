import process from 'node:process';
import {oneLine} from '../errors.js';
import type {LeaktopEvent, TargetInfo} from '../events.js';
import type {Metric} from '../model/snapshot.js';
import type {TargetState} from '../model/target.js';
import {startSessions} from '../sample/session-group.js';
import type {Session, TargetHandle, TargetSource} from '../sample/session.js';
import type {MetricsServer} from '../sinks/metrics.js';
import {PyroscopePusher} from '../sinks/pyroscope.js';
import {createRecorder, type Recorder} from '../sinks/recording-writer.js';
import {onInspectorErrors, version} from './common.js';
import type {Options} from './options.js';
import {armTriggers, type Triggers} from './triggers.js';

/** One reader of the run's event stream: each event in the order the run's list gives, then its end, once. */
export type Sink = {
	readonly name: string;
	readonly write?: (event: LeaktopEvent) => void;
	readonly close?: (endedAt: number) => Promise<unknown> | void;
};

/**
 * What flows back against the stream, each by name (the readme's picture draws them): the view and the triggers
 * ask the sampler for something, or have a line told to the user, only through these.
 */
export type Commands = {
	/** The metric the sampler measures from its next poll (the view's `a`, once confirmed). */
	setMetric(metric: Metric): void;
	/** A line about a target for the user: it goes down the stream as a notice (the view's status line, the recording, the report) and to the mode's own output. */
	say(targetId: string, message: string): void;
	/** A target being sampled, for a profile now or a heavy operation (heap snapshot, forced GC); undefined once it is gone. */
	target(targetId: string): TargetHandle | undefined;
};

/** A session group sampling into one stream that a list of sinks reads. */
export type Run = {
	readonly session: Session;
	readonly commands: Commands;
	readonly recorder: Recorder | undefined;
	readonly triggers: Triggers | undefined;
	/**
	 * Ends the run in its one close order: the triggers' writes finish, sampling stops (each sampler started is stopped in
	 * its target), then each sink closes, in the list's order (the recording last). Returns when it ended.
	 */
	close(): Promise<number>;
};

export type RunSpec = {
	/** The first sink: the model (or the store holding it), which every later one may read. */
	readonly model: Sink;
	/** The model's state of a target, after it applied an event: what triggers judge. */
	readonly target: (targetId: string) => TargetState | undefined;
	/** A mode's own readers of the stream (the agent's log), after the model. */
	readonly readers?: readonly Sink[];
	/** Started before attaching (a port taken is an error before anything is attached); closed with the run. */
	readonly metrics?: MetricsServer;
	/** The metric to measure at first. */
	readonly metric: Metric;
	/** Where a said line goes besides the stream: stderr in a report, the agent's log; the view shows the notice itself. */
	readonly tell?: (message: string) => void;
	/** Settles when leaktop is ready for the first poll (see SamplerOptions.ready). */
	readonly ready?: Promise<unknown>;
	readonly reattach: boolean;
};

/**
 * Starts a run: attaches to (or spawns) the targets and samples them into one event stream read, in order, by the
 * model, the mode's readers, the recording, the triggers and the Pyroscope push. Events a sink causes while it
 * reads one (a trigger's notice) go out after it, to every sink in order. Guards the process meanwhile: a spawned
 * target is ended and the recording gets its end however leaktop exits.
 */
export async function startRun(options: Options, source: TargetSource, spec: RunSpec): Promise<Run> {
	// chrome-remote-interface parses inspector frames in a socket callback: garbage from a broken or hostile
	// inspector surfaces there. Before attaching it ends leaktop with one line; after, the status line says it.
	onInspectorErrors(error => {
		process.stderr.write(`leaktop: the inspector sent something that is not the DevTools protocol: ${oneLine(error)}\n`);
		process.exit(2);
	});

	let metric = spec.metric;
	let session: Session | undefined;
	let primary = '';
	const queue: LeaktopEvent[] = [];
	let emitting = false;
	const commands: Commands = {
		setMetric(wanted) {
			metric = wanted;
		},
		say(targetId, message) {
			emit({type: 'notice', targetId, time: Date.now(), message, gap: false});
			spec.tell?.(message);
		},
		target: targetId => session?.handle(targetId),
	};
	const recorder = options.record === undefined ? undefined : createRecorder(options.record, version);
	const triggers = options.triggers === undefined ? undefined : armTriggers(options.triggers, {
		handle: commands.target, target: spec.target, exportDir: options.exportDir, percentile: options.percentile, say: commands.say,
	});
	const pusher = options.push === undefined ? undefined : pyroscope(options, message => {
		commands.say(primary, message);
	});
	const sinks: Sink[] = [
		spec.model,
		...spec.readers ?? [],
		...(spec.metrics === undefined ? [] : [{name: 'metrics', close: async () => spec.metrics?.close()}]),
		...(pusher === undefined ? [] : [pusher]),
		...(triggers === undefined ? [] : [{name: 'triggers', write: (event: LeaktopEvent) => triggers.observe(event)}]),
		...(recorder === undefined ? [] : [{name: 'recording', write: (event: LeaktopEvent) => recorder.write(event), close: (endedAt: number) => recorder.end(primary, endedAt)}]),
	];
	function emit(event: LeaktopEvent): void {
		queue.push(event);
		if (emitting) {
			return;
		}

		emitting = true;
		try {
			for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
				for (const sink of sinks) {
					sink.write?.(next);
				}
			}
		} finally {
			emitting = false;
		}
	}

	session = await startSessions({...options, wantedMetric: () => metric, ready: spec.ready, reattach: spec.reattach, emit}, [source, ...options.alsoInspect]);
	const started = session;
	primary = started.targetId;
	process.on('exit', () => {
		// Last resort: never leave a spawned target behind, nor a recording without its end.
		started.spawned?.stop();
		recorder?.end(started.targetId, Date.now());
	});
	onInspectorErrors(error => {
		commands.say(started.targetId, `inspector error: ${oneLine(error)}`);
	});

	let closed: Promise<number> | undefined;
	return {
		session: started,
		commands,
		recorder,
		triggers,
		async close() {
			closed ??= (async () => {
				await triggers?.settled();
				await started.stop();
				const endedAt = Date.now();
				for (const sink of sinks) {
					await sink.close?.(endedAt);
				}

				return endedAt;
			})();
			return closed;
		},
	};
}

/** The Pyroscope push as a sink: each snapshot filed under its process's application, a worker's as well. */
function pyroscope(options: Options, warn: (message: string) => void): Sink | undefined {
	if (options.push === undefined) {
		return undefined;
	}

	const pusher = new PyroscopePusher({...options.push, env: process.env, warn});
	const infos = new Map<string, TargetInfo>();
	return {
		name: 'pyroscope',
		write(event) {
			if (event.type === 'attached') {
				infos.set(event.targetId, event.info);
			}

			const info = infos.get(event.targetId);
			if (event.type === 'snapshot' && info !== undefined) {
				pusher.push(info, event.snapshot, info.parent === undefined ? info : infos.get(info.parent));
			} else if (event.type === 'exited' && info?.kind === 'worker') {
				// An ended worker sends nothing more; a pool's many would otherwise add up.
				infos.delete(event.targetId);
			}
		},
		close: async () => pusher.close(),
	};
}
