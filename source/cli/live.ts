import {mkdirSync} from 'node:fs';
import {join, relative} from 'node:path';
import process from 'node:process';
import {oneLine} from '../errors.js';
import {fileStamp, formatBytes} from '../format.js';
import {targetPid} from '../model/target.js';
import type {Session, TargetSource} from '../sample/session.js';
import {describeExit} from '../attach/spawn.js';
import {writeHeapSnapshot} from '../sinks/heap-snapshot.js';
import {createStore, type Store} from '../ui/store.js';
import {cacheDir, failedToStart, onSignals, startMetrics} from './common.js';
import {startRun, type Commands} from './run.js';
import type {Options} from './options.js';
import {loadTui, showStore} from './show.js';

/**
 * Where `H` writes without --export: leaktop's folder in the user's cache, never the working directory unasked (a
 * project checkout, usually, where a 40 MB file is not welcome); created when needed.
 */
export function heapSnapshotDir(): string {
	const dir = join(cacheDir(), 'heap-snapshots');
	mkdirSync(dir, {recursive: true});
	return dir;
}

/**
 * What the view asks of the run once the user confirmed it, through its commands: the metric to measure, a profile
 * now, a forced GC, a heap snapshot to a file.
 */
function heavyOnConfirm(store: Store, commands: Commands, exportDir: string | undefined): () => void {
	return store.onEffect(effect => {
		const {data, state} = store.getSnapshot();
		if (effect.type !== 'heavy' || data === undefined) {
			return;
		}

		if (effect.operation === 'switch-metric') {
			commands.setMetric(state.view.metric);
			return;
		}

		const id = data.target.info.id;
		const say = (message: string) => {
			commands.say(id, message);
		};

		const target = commands.target(id);
		if (target === undefined) {
			say('this target is gone: nothing can be asked of it');
			return;
		}

		if (effect.operation === 'profile-now') {
			say('profile: taking one now…');
			const before = data.target.snapshots;
			const stopWatching = store.subscribe(() => {
				const now = store.getSnapshot().state.targets.find(entry => entry.info.id === id);
				if (now === undefined || now.snapshots > before || now.status.kind === 'exited') {
					stopWatching();
					// Not from inside the store's own publishing.
					queueMicrotask(() => {
						say(now?.snapshots === undefined || now.snapshots <= before ? 'profile: the target went away first' : `profile taken (${now.snapshots} so far)`);
					});
				}
			});
			target.pollNow();
			return;
		}

		if (effect.operation === 'collect-garbage') {
			say('forcing a full GC…');
			target.heavy.run(async () => target.inspector.collectGarbage()).then(() => {
				say('full GC done');
			}, (error: unknown) => {
				say(`full GC failed: ${oneLine(error)}`);
			});
			return;
		}

		const pid = targetPid(data.target) ?? 'target';
		let path: string;
		try {
			path = join(exportDir ?? heapSnapshotDir(), `leaktop-${pid}-${fileStamp()}.heapsnapshot`);
		} catch (error) {
			say(`heap snapshot: no folder to write it to (${oneLine(error)}): pass --export <dir>`);
			return;
		}

		say('heap snapshot: starting…');
		target.heavy.run(async () => writeHeapSnapshot(target.inspector, path, data.target.latest?.heap.usedSize ?? 0, share => {
			say(`heap snapshot: ${Math.round(share * 100)}%…`);
		})).then(bytes => {
			// The path first: on a narrow terminal the status line is cut at its end.
			say(`heap snapshot written: ${relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path)} (${formatBytes(bytes)}; DevTools → Memory → Load)`);
		}, (error: unknown) => {
			say(`heap snapshot failed: ${oneLine(error)}`);
		});
	});
}

/** The live view of a target: attach (or spawn), sample into the store, show it until the user quits. */
export async function liveTui(options: Options, source: TargetSource): Promise<number> {
	const stop = new AbortController();
	onSignals(stop);
	const store = createStore({view: {percentile: options.percentile, metric: options.metric}});
	const metrics = await startMetrics(options, () => store.getSnapshot().state.targets);
	// Loading ink takes most of a second: do it while attaching, not after.
	const tui = loadTui();
	tui.catch(() => undefined);
	const run = await startRun(options, source, {
		model: {name: 'view', write: event => store.apply(event)},
		target: targetId => store.getSnapshot().state.targets.find(target => target.info.id === targetId),
		metrics, metric: options.metric, ready: tui, reattach: true,
	});
	const {session, triggers} = run;
	let fatal: unknown;
	session.done.catch((error: unknown) => {
		fatal = error;
		stop.abort();
	});
	void session.spawned?.exited.then(async () => {
		// The exit event reaches the store first; a program that never got to be sampled ends the view.
		const failed = await failedToStart(session, store.getSnapshot().state.targets.find(target => target.info.id === session.targetId));
		if (failed !== undefined) {
			fatal ??= failed;
			stop.abort();
		}
	});
	const stopHeavy = heavyOnConfirm(store, run.commands, options.exportDir);
	if (metrics !== undefined) {
		run.commands.say(session.targetId, `metrics on ${metrics.url}`);
	}

	try {
		await showStore(store, tui, options, stop.signal, run.commands.say);
	} finally {
		stopHeavy();
		if (triggers?.busy === true) {
			process.stderr.write('leaktop: finishing the heap snapshot a trigger began…\n');
		}

		await run.close();
	}

	if (fatal !== undefined) {
		throw fatal;
	}

	return await programFailed(session.spawned);
}

/**
 * After the view: a program leaktop started that failed is said on the shell's screen, with the error it printed
 * last (its whole output was in the log pane), and leaktop ends with code 3, as a report does.
 */
async function programFailed(spawned: Session['spawned']): Promise<number> {
	const exit = spawned === undefined ? undefined : await Promise.race([spawned.exited, Promise.resolve(undefined)]);
	if (spawned === undefined || exit === undefined || (exit.code === 0 && exit.signal === null) || spawned.stopped) {
		return 0;
	}

	const said = await spawned.lastError();
	process.stderr.write(`leaktop: the program exited (${describeExit(exit)})${said === undefined ? '' : `: ${said}`}\n`);
	return 3;
}
