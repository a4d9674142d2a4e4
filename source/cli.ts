import process from 'node:process';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import meow from 'meow';
import {CliError, oneLine} from './errors.js';
import {defaultDurationSeconds, defaultIntervalMs, defaultMaxOverhead, defaultSamplingInterval, parseOptions, type Options} from './options.js';
import {buildReport} from './report.js';
import {startSession, type Session} from './session.js';
import {createStore, type Store} from './store.js';

const help = `
  Usage
    $ leaktop --inspect <port | host:port | http://host:port | ws://host:port/id>
    $ leaktop [flags] -- <command…>     start a Node program paused, attach, then let it run
    $ leaktop --demo                     profile the bundled leaky demo server

  Flags
    --report                  no TUI: sample for --duration seconds, print one JSON report on stdout
    --duration <seconds>      how long --report samples (default ${defaultDurationSeconds}); it stops early if the target exits
    --interval <ms>           time between polls (default ${defaultIntervalMs}); stretched when polls cost too much
    --sampling-interval <B>   bytes between samples in V8's sampler (default ${defaultSamplingInterval})
    --max-overhead <percent>  share of the target's time polls may take, 0.1 to 2 (default ${defaultMaxOverhead})
    --no-eval                 evaluate nothing in the target (loses rss, external memory, pid and uptime)
    --allow-remote            attach to a non-loopback inspector (prefer an SSH tunnel)
    --share-sampler           read a heap sampler someone else already runs, without starting or stopping it
    --percentile <p>          compare all snapshots with the heaviest (100 - p)% of them (default 99)
    --metric <m>              retained (bytes held, default) or allocated (bytes allocated per second)

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

async function runReport(store: Store, session: Session, options: Options, stop: AbortSignal): Promise<number> {
	try {
		return await report(store, session, options, stop);
	} finally {
		await session.stop();
	}
}

async function report(store: Store, session: Session, options: Options, stop: AbortSignal): Promise<number> {
	const startedAt = Date.now();
	const progress = process.stderr.isTTY
		? setInterval(() => {
			process.stderr.write(`\rleaktop: sampling ${Math.round((Date.now() - startedAt) / 1000)}/${options.durationMs / 1000} s`);
		}, 1000)
		: undefined;
	try {
		await Promise.race([sleep(options.durationMs, undefined, {signal: stop}).catch(() => undefined), session.done]);
	} finally {
		clearInterval(progress);
		if (progress !== undefined) {
			process.stderr.write('\n');
		}
	}

	await session.stop();
	const target = store.getSnapshot().state.targets.find(entry => entry.info.id === session.targetId)!;
	const report = buildReport(target, options.samplingInterval, Date.now(), options.percentile);
	await new Promise<void>(resolve => {
		process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, () => {
			resolve();
		});
	});
	if (target.status.kind === 'exited') {
		process.stderr.write(`leaktop: ${target.status.reason} before the report's duration ended; the report holds what was sampled\n`);
		return 3;
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

	const demoPath = fileURLToPath(new URL('../source/demo/leaky-server.cjs', import.meta.url));
	const options = parseOptions(cli.flags, command, demoPath);
	if (options.mode === 'tui' && !(process.stdout.isTTY && process.stdin.isTTY)) {
		throw new CliError('the live view needs a terminal; for machine-readable output use --report --duration <seconds>');
	}

	const stop = new AbortController();
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			stop.abort();
		});
	}

	const store = createStore({view: {percentile: options.percentile, metric: options.metric}});
	// Loading ink (yoga's WebAssembly) takes most of a second: do it while attaching, not after.
	const tui = options.mode === 'tui' ? import('./tui.js') : undefined;
	tui?.catch(() => undefined);
	const session = await startSession(store, {...options, wantedMetric: () => store.getSnapshot().state.view.metric});
	process.on('exit', () => {
		// Last resort: never leave a spawned target behind.
		session.spawned?.stop();
	});
	// chrome-remote-interface parses inspector frames in a socket callback: garbage from a broken or hostile
	// inspector surfaces here. Report it on the status line instead of crashing the UI.
	process.on('uncaughtException', error => {
		store.notice(session.targetId, `inspector error: ${oneLine(error)}`);
	});

	if (options.mode === 'report') {
		return runReport(store, session, options, stop.signal);
	}

	// Ink draws nothing until exit when it believes it runs in CI; a terminal on stdout is a user watching.
	delete process.env['CI'];
	// React's development build, the default, draws a frame ~30% slower (npm run bench).
	process.env['NODE_ENV'] ??= 'production';
	delete process.env['CONTINUOUS_INTEGRATION'];
	let fatal: unknown;
	session.done.catch((error: unknown) => {
		fatal = error;
		stop.abort();
	});
	const {runTui} = await tui!;
	try {
		await runTui(store, stop.signal);
	} finally {
		await session.stop();
	}

	if (fatal !== undefined) {
		throw fatal;
	}

	return 0;
}

try {
	const code = await main();
	process.exit(code);
} catch (error) {
	process.exit(fail(error));
}
