import {readFileSync} from 'node:fs';
import {basename, join} from 'node:path';
import process from 'node:process';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import meow from 'meow';
import {comparePoints} from '../model/compare.js';
import {CliError, oneLine} from '../errors.js';
import {writeExports} from '../sinks/exports.js';
import {formatBytes} from '../format.js';
import {writeHeapSnapshot} from '../sinks/heap-snapshot.js';
import {defaultDurationSeconds, defaultIntervalMs, defaultMaxOverhead, defaultSamplingInterval, demoMaxOverhead, parseOptions, type Options} from './options.js';
import {bucketOptions} from '../model/ranking.js';
import {createRecorder} from '../sinks/recording-writer.js';
import {loadRecording, playRecording, recordingEnd, replayInto} from '../sinks/recording-player.js';
import {buildReport, type Report} from '../sinks/report.js';
import {resolveOriginals, watchSources} from './resolve-sources.js';
import {Sources} from '../attach/script-files.js';
import {startSession, type Session, type TargetSource} from '../sample/session.js';
import {activeHistory, createStore, type Store, type TargetState} from '../ui/store.js';

const {version} = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string};

const help = `
  Usage
    $ leaktop --inspect <port | host:port | http://host:port | ws://host:port/id>
    $ leaktop [flags] -- <command…>     start a Node program paused, attach, then let it run
    $ leaktop --pid <pid>                open the inspector of a Node process started without --inspect
                                         (SIGUSR1: it then listens on 127.0.0.1:9229 until it exits)
    $ leaktop --demo                     profile the bundled leaky demo server
    $ leaktop --replay <file>            open a recording made with --record

  Flags
    --report                  no TUI: sample for --duration seconds, print one JSON report on stdout
    --duration <seconds>      how long --report samples (default ${defaultDurationSeconds}); it stops early if the target exits
    --interval <ms>           time between polls (default ${defaultIntervalMs}); stretched when polls cost too much
    --sampling-interval <B>   bytes between samples in V8's sampler (default ${defaultSamplingInterval})
    --max-overhead <percent>  share of the target's time polls may take, 0.1 to 2 (default ${defaultMaxOverhead}; ${demoMaxOverhead} for --demo)
    --no-eval                 evaluate nothing in the target (loses rss, external memory, pid and uptime)
    --allow-remote            attach to a non-loopback inspector (prefer an SSH tunnel)
    --share-sampler           read a heap sampler someone else already runs, without starting or stopping it
    --percentile <p>          compare all snapshots with the heaviest (100 - p)% of them (default 99)
    --metric <m>              retained (bytes held, default) or allocated (bytes allocated per second)
    --record <file>           append every snapshot to a new recording file (survives a crash of leaktop)
    --replay <file>           open a recording instead of a target: the same TUI, or --report from it
    --export <dir>            where e writes exports; with --report, export there at the end

  Keys: ? in the TUI lists them.

  Examples
    $ node --inspect app.js & leaktop --inspect 9229
    $ ssh -L 9229:127.0.0.1:9229 staging-box   # then, locally: leaktop --inspect 9229
    $ leaktop --report --duration 30 -- node server.js > report.json
`;

const flagSpec = {
	inspect: {type: 'string'},
	demo: {type: 'boolean', default: false},
	report: {type: 'boolean', default: false},
	duration: {type: 'string'},
	interval: {type: 'string'},
	samplingInterval: {type: 'string'},
	maxOverhead: {type: 'string'},
	eval: {type: 'boolean', default: true},
	allowRemote: {type: 'boolean', default: false},
	shareSampler: {type: 'boolean', default: false},
	percentile: {type: 'string'},
	metric: {type: 'string'},
	record: {type: 'string'},
	replay: {type: 'string'},
	export: {type: 'string'},
	pid: {type: 'string'},
} as const;
const knownFlags = new Set<string>(Object.keys(flagSpec));

/** Splits argv at the first `--`: flags before, the command to run after. */
function splitArgv(argv: readonly string[]): {flags: string[]; command: string[]} {
	const separator = argv.indexOf('--');
	return separator === -1
		? {flags: [...argv], command: []}
		: {flags: argv.slice(0, separator), command: argv.slice(separator + 1)};
}

function fail(error: unknown): number {
	if (error instanceof CliError) {
		process.stderr.write(`leaktop: ${oneLine(error)}\n`);
		return error.exitCode;
	}

	process.stderr.write(`leaktop: unexpected error: ${oneLine(error)}\n`);
	return 1;
}

/** Ink draws nothing until exit when it believes it runs in CI; a terminal on stdout is a user watching. */
function prepareTerminal(): void {
	delete process.env['CI'];
	delete process.env['CONTINUOUS_INTEGRATION'];
	// React's development build, the default, draws a frame ~30% slower (npm run bench).
	process.env['NODE_ENV'] ??= 'production';
}

async function printReport(report: Report): Promise<void> {
	await new Promise<void>(resolve => {
		process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, () => {
			resolve();
		});
	});
}

/** Writes the exports a report was asked for, saying on stderr what it writes. */
function exportReport(dir: string, target: TargetState, percentile: number): void {
	const history = activeHistory(target);
	const points = history.points();
	const comparison = comparePoints(points, history.sites, percentile, 'delta', bucketOptions(history, points));
	const files = writeExports(dir, target, comparison, message => {
		process.stderr.write(`leaktop: ${message}\n`);
	});
	process.stderr.write(`leaktop: wrote ${files.join(', ')}\n`);
}

/** `e` in the TUI: exports the view's target and comparison, reporting on the status line. */
function exportOnKey(store: Store, exportDir: string | undefined): () => void {
	return store.onEffect(effect => {
		const {data} = store.getSnapshot();
		if (effect.type !== 'export' || data === undefined) {
			return;
		}

		const id = data.target.info.id;
		const dir = exportDir ?? join(process.cwd(), `leaktop-export-${new Date().toISOString().replaceAll(/[:.]/g, '-')}`);
		try {
			const files = writeExports(dir, data.target, data.comparison, message => {
				store.notice(id, message);
			});
			store.notice(id, `exported ${files.map(file => basename(file)).join(', ')} to ${dir}`);
		} catch (error) {
			store.notice(id, `export failed: ${oneLine(error)}`);
		}
	});
}

/** The heavy operations, once the user confirmed them: a heap snapshot to a file, or a forced GC. */
function heavyOnConfirm(store: Store, session: Session, exportDir: string | undefined): () => void {
	return store.onEffect(effect => {
		const {data} = store.getSnapshot();
		if (effect.type !== 'heavy' || data === undefined) {
			return;
		}

		const id = data.target.info.id;
		const say = (message: string) => {
			store.notice(id, message);
		};

		if (effect.operation === 'collect-garbage') {
			say('forcing a full GC…');
			session.inspector.collectGarbage().then(() => {
				say('full GC done');
			}, (error: unknown) => {
				say(`full GC failed: ${oneLine(error)}`);
			});
			return;
		}

		const pid = data.target.info.pid ?? data.target.latest?.process?.pid ?? 'target';
		const path = join(exportDir ?? process.cwd(), `leaktop-${pid}-${new Date().toISOString().replaceAll(/[:.]/g, '-')}.heapsnapshot`);
		say('heap snapshot: starting…');
		writeHeapSnapshot(session.inspector, path, data.target.latest?.heap.usedSize ?? 0, share => {
			say(`heap snapshot: ${Math.round(share * 100)}%…`);
		}).then(bytes => {
			say(`heap snapshot written (${formatBytes(bytes)}), for DevTools → Memory → Load: ${path}`);
		}, (error: unknown) => {
			say(`heap snapshot failed: ${oneLine(error)}`);
		});
	});
}

async function sampleForReport(session: Session, options: Options, stop: AbortSignal): Promise<void> {
	const startedAt = Date.now();
	const progress = process.stderr.isTTY
		? setInterval(() => {
			process.stderr.write(`\rleaktop: sampling ${Math.round((Date.now() - startedAt) / 1000)}/${options.durationMs / 1000} s`);
		}, 1000)
		: undefined;
	try {
		await Promise.race([sleep(options.durationMs, undefined, {signal: stop}).catch(() => undefined), session.done]);
		if (!stop.aborted) {
			await session.finish();
		}
	} finally {
		clearInterval(progress);
		if (progress !== undefined) {
			process.stderr.write('\n');
		}
	}
}

async function replay(options: Options, path: string): Promise<number> {
	const recording = loadRecording(path);
	const store = createStore({view: {percentile: options.percentile}, mode: 'replay'});
	if (options.mode === 'report') {
		replayInto(store, recording);
		const target = store.getSnapshot().state.targets[0]!;
		const sources = new Sources();
		resolveOriginals(store, sources);
		await printReport(buildReport(target, recording.header.samplingInterval, recordingEnd(recording), options.percentile, store.getSnapshot().state.originals));
		if (recording.truncated !== undefined) {
			process.stderr.write(`leaktop: ${recording.truncated}\n`);
		}

		if (options.exportDir !== undefined) {
			exportReport(options.exportDir, target, options.percentile);
		}

		return 0;
	}

	prepareTerminal();
	const {runTui} = await import('../ui/tui.js');
	const player = playRecording(store, recording);
	const stopExports = exportOnKey(store, options.exportDir);
	const stopSources = watchSources(store, new Sources());
	const stop = new AbortController();
	onSignals(stop);
	try {
		await runTui(store, stop.signal);
	} finally {
		stopSources();
		stopExports();
		player.stop();
	}

	return 0;
}

function onSignals(stop: AbortController): void {
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			stop.abort();
		});
	}
}

async function live(options: Options, source: TargetSource): Promise<number> {
	const stop = new AbortController();
	onSignals(stop);
	// chrome-remote-interface parses inspector frames in a socket callback: garbage from a broken or hostile
	// inspector surfaces here. Before attaching it ends leaktop with one line; after, the status line says it.
	let onInspectorError: (error: Error) => void = error => {
		process.stderr.write(`leaktop: the inspector sent something that is not the DevTools protocol: ${oneLine(error)}\n`);
		process.exit(2);
	};

	process.on('uncaughtException', error => {
		onInspectorError(error);
	});
	const recorder = options.record === undefined ? undefined : createRecorder(options.record, version);
	const store = createStore({view: {percentile: options.percentile, metric: options.metric}});
	if (options.mode === 'tui') {
		prepareTerminal();
	}

	// Loading ink (yoga's WebAssembly) takes most of a second: do it while attaching, not after.
	const tui = options.mode === 'tui' ? import('../ui/tui.js') : undefined;
	tui?.catch(() => undefined);
	const session = await startSession(store, {
		...options, source, wantedMetric: () => store.getSnapshot().state.view.metric, ready: tui, observer: recorder, reattach: options.mode === 'tui',
	});
	process.on('exit', () => {
		// Last resort: never leave a spawned target behind, nor a recording without its end.
		session.spawned?.stop();
		recorder?.end(Date.now());
	});
	onInspectorError = error => {
		store.notice(session.targetId, `inspector error: ${oneLine(error)}`);
	};

	if (options.mode === 'report') {
		try {
			await sampleForReport(session, options, stop.signal);
		} finally {
			await session.stop();
		}

		const endedAt = Date.now();
		recorder?.end(endedAt);
		const target = store.getSnapshot().state.targets.find(entry => entry.info.id === session.targetId)!;
		resolveOriginals(store, new Sources());
		await printReport(buildReport(target, options.samplingInterval, endedAt, options.percentile, store.getSnapshot().state.originals));
		if (recorder !== undefined) {
			process.stderr.write(`leaktop: recorded ${recorder.written.snapshots} snapshots (${recorder.written.bytes} bytes) in ${recorder.path}\n`);
		}

		if (options.exportDir !== undefined) {
			exportReport(options.exportDir, target, options.percentile);
		}

		if (target.status.kind === 'exited') {
			process.stderr.write(`leaktop: ${target.status.reason} before the report's duration ended; the report holds what was sampled\n`);
			return 3;
		}

		if (target.snapshots === 0) {
			process.stderr.write(`leaktop: no profile arrived during the report (${target.notice ?? 'the inspector did not answer in time'})\n`);
			return 3;
		}

		return 0;
	}

	let fatal: unknown;
	session.done.catch((error: unknown) => {
		fatal = error;
		stop.abort();
	});
	const {runTui} = await tui!;
	const stopExports = exportOnKey(store, options.exportDir);
	const stopHeavy = heavyOnConfirm(store, session, options.exportDir);
	const stopSources = watchSources(store, new Sources());
	try {
		await runTui(store, stop.signal);
	} finally {
		stopSources();
		stopHeavy();
		stopExports();
		await session.stop();
		recorder?.end(Date.now());
	}

	if (fatal !== undefined) {
		throw fatal;
	}

	return 0;
}

async function main(): Promise<number> {
	const {flags: flagArgs, command} = splitArgv(process.argv.slice(2));
	const cli = meow(help, {
		importMeta: import.meta,
		argv: flagArgs,
		// Unknown flags are refused below, as one line of leaktop's own: meow's message spans two.
		allowUnknownFlags: true,
		flags: flagSpec,
	});
	const unknown = Object.keys(cli.flags).find(name => !knownFlags.has(name));
	if (unknown !== undefined) {
		throw new CliError(`unknown flag --${unknown.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)} (see leaktop --help)`);
	}

	if (cli.input.length > 0) {
		throw new CliError(`unexpected argument "${cli.input[0]}": put the command to profile after --`);
	}

	const demoPath = fileURLToPath(new URL('../../demo/leaky-server.cjs', import.meta.url));
	const options = parseOptions(cli.flags, command, demoPath);
	if (options.mode === 'tui' && !(process.stdout.isTTY && process.stdin.isTTY)) {
		throw new CliError('the live view needs a terminal; for machine-readable output use --report --duration <seconds>');
	}

	return options.source.kind === 'replay' ? replay(options, options.source.path) : live(options, options.source);
}

try {
	const code = await main();
	process.exit(code);
} catch (error) {
	process.exit(fail(error));
}
