import process from 'node:process';
import {fileURLToPath} from 'node:url';
import meow from 'meow';
import {CliError, oneLine} from '../errors.js';
import {loadRecording} from '../sinks/recording-reader.js';
import {checkNodeProcess} from '../attach/pid.js';
import {defaultDurationSeconds, defaultIntervalMs, defaultMaxOverhead, defaultSamplingInterval, demoMaxOverhead, flagSpec, parseOptions} from './options.js';
import {maxSamplesPerSecond} from '../sample/sampling-rate.js';
import {handleUncaught} from './common.js';
import {restoreTerminal} from '../ui/alternate-screen.js';

const help = `
  Usage
    $ leaktop --inspect <port | host:port | http://host:port | ws://host:port/id>
                                         (several times for several processes; worker threads are followed;
                                         an inspector listing several targets: give each one's ws:// address)
    $ leaktop [flags] -- <command…>     start a Node program paused, attach, then let it run; the Node
                                         processes it starts (cluster, fork) are attached as they appear
    $ leaktop --pid <pid>                open the inspector of a Node process started without --inspect
                                         (SIGUSR1: it then listens on 127.0.0.1:9229 until it exits)
    $ leaktop --demo                     profile the bundled leaky demo server
    $ leaktop --replay <file>            open a recording made with --record

  Flags
    --report                  no TUI: sample for --duration seconds, print one JSON report on stdout
    --agent                   no TUI, no end: sample until SIGTERM, follow restarts, log what matters to stderr
                              (a sidecar or systemd unit beside the service; with --metrics for Prometheus)
    --duration <seconds>      how long --report samples (default ${defaultDurationSeconds}); it stops early if the target exits
    --interval <ms>           time between polls (default ${defaultIntervalMs}); stretched when polls cost too much
    --sampling-interval <B>   bytes between samples in V8's sampler (default ${defaultSamplingInterval}, coarsened once at the
                              first poll a second in for a target that would pay more than ${maxSamplesPerSecond.toLocaleString('en-US')} samples/s)
    --max-overhead <percent>  share of the target's time polls may take, 0.1 to 2 (default ${defaultMaxOverhead}; ${demoMaxOverhead} for --demo)
    --no-eval                 evaluate nothing in the target (loses rss, external memory, pid and uptime)
    --allow-remote            attach to a non-loopback inspector (prefer an SSH tunnel)
    --share-sampler           read a heap sampler someone else already runs, without starting or stopping it
    --percentile <p>          compare all snapshots with the heaviest (100 - p)% of them (default 99)
    --metric <m>              retained (bytes held, default) or allocated (bytes allocated per second)
    --record <file>           append every snapshot to a new recording file (survives a crash of leaktop)
    --log <file>              also write the started program's output to this file (the live view shows it: L)
    --replay <file>           open a recording instead of a target: the same TUI, or --report from it
    --export <dir>            where e writes exports; with --report, export there at the end
    --fail-on-leak            with --report: exit with code 4 when a site is leaking (a leak gate for CI)
    --metrics <[host:]port>   serve Prometheus metrics on /metrics (loopback unless a host is given)
    --metrics-sites <n>       sites with series of their own in --metrics (default 10, by leak ranking)
    --push <url>              push every profile to Grafana Pyroscope (auth: PYROSCOPE_AUTH_TOKEN, or
                              PYROSCOPE_BASIC_AUTH_USER/_PASSWORD; PYROSCOPE_TENANT_ID)
    --push-app <name>         the application name in Pyroscope (default: the script's name)
    --push-queue <n>          profiles held while Pyroscope does not take them (default 32)
    --on-heap <size | p%>     once the heap reaches a size (800MB, 1.5GiB) or p% of V8's heap limit: take a
                              profile and write the exports to a folder of their own (in --export's, or here)
    --on-suspect              once a site is first judged leaking: write the exports the same way
    --trigger-snapshot        with --on-heap/--on-suspect: add a heap snapshot; it pauses the target about
                              50 ms per MB of heap (666 MB: 33 s) and needs that much disk

  Keys: ? in the TUI lists them; , and . step through several targets, then all of them merged.

  Examples
    $ node --inspect app.js & leaktop --inspect 9229
    $ ssh -L 9229:127.0.0.1:9229 staging-box   # then, locally: leaktop --inspect 9229
    $ leaktop --report --duration 30 -- node server.js > report.json
`;

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

async function main(): Promise<number> {
	handleUncaught(restoreTerminal);
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
	// What is wrong with the input is said before that the view needs a terminal: it is the answer the user needs.
	const recording = options.source.kind === 'replay' ? loadRecording(options.source.path) : undefined;
	if (options.source.kind === 'pid') {
		checkNodeProcess(options.source.pid);
	}

	if (options.mode === 'tui' && !(process.stdout.isTTY && process.stdin.isTTY)) {
		throw new CliError('the live view needs a terminal; for machine-readable output use --report --duration <seconds>');
	}

	// Each mode loads only what it uses: a report or the agent never loads ink and React (start-up CPU, npm run bench).
	if (options.source.kind === 'replay') {
		return options.mode === 'report'
			? (await import('./report.js')).reportReplay(options, recording!)
			: (await import('./replay.js')).replayTui(options, recording!);
	}

	if (options.mode === 'agent') {
		return (await import('./agent.js')).runAgent(options, options.source);
	}

	return options.mode === 'report'
		? (await import('./report.js')).reportLive(options, options.source)
		: (await import('./live.js')).liveTui(options, options.source);
}

try {
	const code = await main();
	process.exit(code);
} catch (error) {
	process.exit(fail(error));
}
