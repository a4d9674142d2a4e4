import {join, relative} from 'node:path';
import process from 'node:process';
import {oneLine} from '../errors.js';
import type {LeaktopEvent} from '../events.js';
import {fileStamp, formatBytes} from '../format.js';
import {targetPid, type TargetState} from '../model/target.js';
import {heldTriggers, type Held, type TriggerSpec} from '../model/triggers.js';
import type {TargetHandle} from '../sample/session.js';
import {exportTarget} from '../sinks/exports.js';
import {writeHeapSnapshot} from '../sinks/heap-snapshot.js';

/** What a trigger wrote, for the report. */
export type Fired = {readonly name: Held['name']; readonly reason: string; readonly time: number; readonly files: readonly string[]};

export type Triggers = {
	/** Reads each event after the model has applied it. */
	observe(event: LeaktopEvent): void;
	/** Settles when every write a trigger began (a heap snapshot takes a while) is done. */
	settled(): Promise<void>;
	/** A write (a heap snapshot) is under way. */
	readonly busy: boolean;
	readonly fired: readonly Fired[];
};

function shown(path: string): string {
	const local = relative(process.cwd(), path);
	return local.startsWith('..') || local === '' ? path : local;
}

/**
 * `--on-heap` and `--on-suspect`: each writes the exports once, the first time its condition holds, into a
 * folder of its own, and says what it wrote where. The heap's threshold is read once a second between
 * profiles: crossing it takes a profile at once, so the exports show the heap at that moment, not the
 * governor's last poll (a forced GC, paid once). A heap snapshot follows when asked for.
 */
export function armTriggers(spec: TriggerSpec, context: {
	/** The target's handle, once its session has started. */
	readonly handle: (targetId: string) => TargetHandle | undefined;
	readonly target: (targetId: string) => TargetState | undefined;
	readonly exportDir: string | undefined;
	readonly percentile: number;
	readonly say: (targetId: string, message: string) => void;
}): Triggers {
	/** The triggers claimed, per target: each fires once for a target, when its write is under way or done. */
	const done = new Set<string>();
	const awaitingProfile = new Map<string, Held[]>();
	const writing = new Set<Promise<unknown>>();
	const fired: Fired[] = [];

	const write = (held: Held, target: TargetState, time: number) => {
		const say = (message: string) => {
			context.say(target.info.id, `${held.name}: ${message}`);
		};

		const pid = targetPid(target) ?? 'target';
		// A worker shares its process's pid: its own number tells their folders apart.
		const who = target.info.kind === 'worker' ? `${pid}-${target.info.id.split('/').at(-1)!}` : String(pid);
		const dir = join(context.exportDir ?? process.cwd(), `leaktop-${held.name}-${who}-${fileStamp()}`);
		let files: string[];
		try {
			files = exportTarget(dir, target, context.percentile, () => undefined);
		} catch (error) {
			say(`${held.reason}; export failed: ${oneLine(error)} (it is not tried again)`);
			return;
		}

		const record = {name: held.name, reason: held.reason, time, files};
		fired.push(record);
		say(`${held.reason}; wrote ${shown(dir)}: ${files.map(file => file.slice(dir.length + 1)).join(', ')}`);
		const handle = context.handle(target.info.id);
		if (!spec.heapSnapshot || handle === undefined) {
			return;
		}

		const path = join(dir, 'heap.heapsnapshot');
		say('heap snapshot: starting (the target pauses until it is written)…');
		let told = 0;
		const snapshot = handle.heavy.run(async () => writeHeapSnapshot(handle.inspector, path, target.live?.heap.usedSize ?? 0, share => {
			// A line a quarter, not one a percent: the agent's log is read later.
			if (share >= told + 0.25) {
				told = Math.floor(share * 4) / 4;
				say(`heap snapshot: ${Math.round(told * 100)}%…`);
			}
		})).then(bytes => {
			files.push(path);
			say(`heap snapshot written: ${shown(path)} (${formatBytes(bytes)}; DevTools → Memory → Load)`);
		}, (error: unknown) => {
			say(`heap snapshot failed: ${oneLine(error)}`);
		});
		writing.add(snapshot);
		void snapshot.finally(() => writing.delete(snapshot));
	};

	return {
		fired,
		get busy() {
			return writing.size > 0;
		},
		observe(event) {
			if (event.type !== 'gauges' && event.type !== 'snapshot' && event.type !== 'exited') {
				return;
			}

			const target = context.target(event.targetId);
			if (target === undefined) {
				return;
			}

			const waiting = awaitingProfile.get(event.targetId) ?? [];
			if (event.type !== 'gauges' && waiting.length > 0 && target.latest !== undefined) {
				// The profile asked for arrived (or the target went, and the last one is all there is).
				awaitingProfile.delete(event.targetId);
				for (const held of waiting) {
					write(held, target, event.time);
				}
			}

			if (event.type === 'exited') {
				return;
			}

			// Only what has not fired for this target is judged; a verdict only changes with a profile.
			const open = {
				...spec,
				onHeap: done.has(`${event.targetId}\u0000on-heap`) ? undefined : spec.onHeap,
				onSuspect: spec.onSuspect && event.type === 'snapshot' && !done.has(`${event.targetId}\u0000on-suspect`),
			};
			for (const held of heldTriggers(open, target, process.cwd())) {
				done.add(`${event.targetId}\u0000${held.name}`);
				const handle = context.handle(event.targetId);
				if (event.type === 'snapshot' || handle === undefined) {
					write(held, target, event.time);
				} else {
					context.say(event.targetId, `${held.name}: ${held.reason}; taking a profile now (one forced GC)…`);
					awaitingProfile.set(event.targetId, [...(awaitingProfile.get(event.targetId) ?? []), held]);
					handle.pollNow();
				}
			}
		},
		async settled() {
			// A profile asked for that never came (the session ended first): the latest there is, said as such.
			for (const [targetId, waiting] of awaitingProfile) {
				const target = context.target(targetId);
				for (const held of waiting) {
					if (target?.latest === undefined) {
						context.say(targetId, `${held.name}: ${held.reason}; no profile arrived before the end, nothing written`);
					} else {
						write({...held, reason: `${held.reason} (the last profile, from before it: the session ended first)`}, target, Date.now());
					}
				}
			}

			awaitingProfile.clear();
			while (writing.size > 0) {
				await Promise.all(writing);
			}
		},
	};
}
