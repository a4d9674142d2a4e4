import type {AnyFlags, TypedFlags} from 'meow';
import {defaultPercentile} from '../model/compare.js';
import {parseInspectAddress} from '../attach/address.js';
import {CliError} from '../errors.js';
import type {Metric} from '../model/snapshot.js';
import type {HeapThreshold, TriggerSpec} from '../model/triggers.js';
import type {TargetSource} from '../sample/session.js';

/** tui: the live view; report: one JSON report on stdout. */
/** tui: the live view; report: one JSON document at the end; agent: no view, until a signal (a sidecar). */
export type OutputMode = 'tui' | 'report' | 'agent';

/** Where the data comes from: a live target, or a recording of one. */
export type Source = TargetSource | {readonly kind: 'replay'; readonly path: string};

/** Everything the command line asked for, validated. */
export type Options = {
	readonly mode: OutputMode;
	readonly source: Source;
	/** The addresses of `--inspect` given after the first: each process is sampled beside it. */
	readonly alsoInspect: readonly TargetSource[];
	readonly durationMs: number;
	readonly intervalMs: number;
	readonly samplingInterval: number;
	/** The sampling interval is the default, which a fast-allocating target coarsens at its first poll a second in. */
	readonly adaptSampling: boolean;
	/** 0..1 */
	readonly maxOverhead: number;
	readonly readProcess: boolean;
	readonly shareSampler: boolean;
	readonly percentile: number;
	readonly metric: Metric;
	/** Append every snapshot to this recording file. */
	readonly record: string | undefined;
	/** Where `e` and the end of a report write exports; undefined: a fresh folder in the working directory (TUI) or none (report). */
	readonly exportDir: string | undefined;
	/** A report ends with exit code 4 when a site is leaking: a leak gate for a test pipeline. */
	readonly failOnLeak: boolean;
	/** Push every profile to this Pyroscope server (`--push`). */
	readonly push: {readonly url: string; readonly application: string | undefined; readonly queueLimit: number} | undefined;
	/** Serve Prometheus metrics here (`--metrics`), with this many sites' own series. */
	readonly metrics: {readonly host: string; readonly port: number; readonly topSites: number} | undefined;
	/** `--on-heap`, `--on-suspect`: write the exports once when the condition first holds. */
	readonly triggers: TriggerSpec | undefined;
};

/** The command line's flags, as meow reads them: the spec is the one place they are declared. */
export const flagSpec = {
	inspect: {type: 'string', isMultiple: true},
	demo: {type: 'boolean', default: false},
	report: {type: 'boolean', default: false},
	agent: {type: 'boolean', default: false},
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
	log: {type: 'string'},
	replay: {type: 'string'},
	export: {type: 'string'},
	pid: {type: 'string'},
	failOnLeak: {type: 'boolean', default: false},
	metrics: {type: 'string'},
	metricsSites: {type: 'string'},
	push: {type: 'string'},
	pushApp: {type: 'string'},
	pushQueue: {type: 'string'},
	onHeap: {type: 'string'},
	onSuspect: {type: 'boolean', default: false},
	triggerSnapshot: {type: 'boolean', default: false},
} as const satisfies AnyFlags;

export type RawFlags = TypedFlags<typeof flagSpec>;

/**
 * 128 KiB: a sample costs the target ~2 µs (npm run bench), so a target allocating 130 MB/s pays ~0.2% for
 * the sampler, while 16 samples, the least survivor age judges a site from, are ~2 MB. A target allocating
 * faster gets a coarser interval at its first poll a second in (sample/sampling-rate.ts).
 */
export const defaultSamplingInterval = 128 * 1024;
export const defaultIntervalMs = 1000;
/** Percent of the target's time polls may take: at 1% a server's p99 at half load rose 60%, at 0.5% it did not move. */
export const defaultMaxOverhead = 0.5;
export const demoMaxOverhead = 2;
export const defaultDurationSeconds = 10;

function number(flag: string, text: string | undefined, fallback: number, {min, max, integer}: {min: number; max: number; integer: boolean}): number {
	if (text === undefined) {
		return fallback;
	}

	const value = Number(text);
	if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
		throw new CliError(`--${flag} ${text}: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
	}

	return value;
}

/**
 * `--metrics`: `port` listens on loopback; `host:port` (`[v6]:port`) where told, e.g. `0.0.0.0:9464` in a pod
 * whose Prometheus scrapes it from outside.
 */
export function parseListen(text: string): {host: string; port: number} {
	const match = /^(?:(?:\[([^\]]+)\]|([^:\[\]]+)):)?(\d+)$/.exec(text.trim());
	const port = Number(match?.[3]);
	if (match === null || port > 65_535) {
		throw new CliError(`--metrics ${text}: expected a port, or host:port (such as 127.0.0.1:9464)`);
	}

	return {host: match[1] ?? match[2] ?? '127.0.0.1', port};
}

const sizeUnits: Readonly<Record<string, number>> = {
	'': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30,
};

/** `--on-heap`: bytes (`800MB`, `1.5GiB`, `800000000`) or a percentage of V8's heap limit (`80%`). */
export function parseHeapThreshold(text: string): HeapThreshold {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(%|[a-z]*)\s*$/i.exec(text);
	const value = Number(match?.[1]);
	const unit = match?.[2]?.toLowerCase() ?? '';
	if (match !== null && unit === '%' && value > 0 && value < 100) {
		return {kind: 'share', share: value / 100};
	}

	if (match !== null && unit in sizeUnits && value * sizeUnits[unit]! >= 1e6) {
		return {kind: 'bytes', bytes: Math.round(value * sizeUnits[unit]!)};
	}

	throw new CliError(`--on-heap ${text}: expected a size of at least 1 MB (such as 800MB or 1.5GiB) or a share of the heap's limit (such as 80%)`);
}

function triggersOf(flags: RawFlags): TriggerSpec | undefined {
	if (flags.onHeap === undefined && !flags.onSuspect) {
		if (flags.triggerSnapshot) {
			throw new CliError('--trigger-snapshot goes with --on-heap or --on-suspect');
		}

		return undefined;
	}

	if (flags.replay !== undefined) {
		throw new CliError('--on-heap and --on-suspect go with a live target, not --replay');
	}

	const onHeap = flags.onHeap === undefined ? undefined : parseHeapThreshold(flags.onHeap);
	if (onHeap?.kind === 'share' && !flags.eval) {
		throw new CliError(`--on-heap ${flags.onHeap}: the heap's limit is read by the expression --no-eval turns off; give a size instead`);
	}

	return {onHeap, onSuspect: flags.onSuspect, heapSnapshot: flags.triggerSnapshot};
}

/** Whether two `--inspect` addresses name the same inspector (`9229`, `127.0.0.1:9229` and `http://127.0.0.1:9229/` do). */
function sameAddress(a: string, b: string): boolean {
	const key = (text: string) => {
		try {
			const address = parseInspectAddress(text);
			return address.kind === 'ws' ? address.url : `${address.host === 'localhost' ? '127.0.0.1' : address.host}:${address.port}`;
		} catch {
			return text;
		}
	};

	return key(a) === key(b);
}

function metricOf(text: string | undefined, shareSampler: boolean): Metric {
	if (text !== undefined && text !== 'retained' && text !== 'allocated') {
		throw new CliError(`--metric ${text}: expected retained or allocated`);
	}

	if (text === 'allocated' && shareSampler) {
		throw new CliError('--metric allocated restarts the sampler every poll, which --share-sampler forbids');
	}

	return text ?? 'retained';
}

/** Turns flags and the command after `--` into options; `demoPath` is the bundled demo app. */
export function parseOptions(flags: RawFlags, command: readonly string[], demoPath: string): Options {
	const inspect = flags.inspect ?? [];
	const twice = inspect.find((address, index) => inspect.slice(0, index).some(other => sameAddress(other, address)));
	if (twice !== undefined) {
		throw new CliError(`--inspect ${twice} is given twice: one process is sampled once`);
	}

	const sources = [inspect.length > 0, flags.demo, command.length > 0, flags.replay !== undefined, flags.pid !== undefined].filter(Boolean).length;
	if (sources === 0) {
		throw new CliError('nothing to profile: pass --inspect <host:port>, --pid <pid>, --demo, -- <command> or --replay <file> (see leaktop --help)');
	}

	if (sources > 1) {
		throw new CliError('choose one of --inspect, --pid, --demo, -- <command> and --replay');
	}

	if (flags.replay !== undefined && flags.record !== undefined) {
		throw new CliError('--record goes with a live target, not --replay');
	}

	if (flags.replay !== undefined && flags.duration !== undefined) {
		throw new CliError('--duration goes with a live target: a --replay report covers the whole recording');
	}

	for (const [flag, value] of [['record', flags.record], ['replay', flags.replay], ['export', flags.export], ['log', flags.log]] as const) {
		if (value !== undefined && value.trim() === '') {
			throw new CliError(`--${flag} needs a path`);
		}
	}

	if (flags.agent && flags.report) {
		throw new CliError('choose one of --agent and --report');
	}

	if (flags.agent && flags.replay !== undefined) {
		throw new CliError('--agent goes with a live target, not --replay');
	}

	const mode: OutputMode = flags.report ? 'report' : flags.agent ? 'agent' : 'tui';
	// The live view shows the program's output in its log pane; a report or an agent passes it on to stderr.
	const output = mode === 'tui' ? 'capture' : process.stderr;
	const logFile = flags.log;
	let source: Source;
	if (flags.replay !== undefined) {
		source = {kind: 'replay', path: flags.replay};
	} else if (flags.pid !== undefined) {
		source = {kind: 'pid', pid: number('pid', flags.pid, 0, {min: 1, max: 2 ** 31, integer: true})};
	} else if (inspect.length > 0) {
		source = {kind: 'inspect', address: inspect[0]!, allowRemote: flags.allowRemote};
	} else if (flags.demo) {
		source = {kind: 'spawn', command: [process.execPath, demoPath], output, ...(logFile === undefined ? {} : {logFile})};
	} else {
		source = {kind: 'spawn', command, output, ...(logFile === undefined ? {} : {logFile})};
	}

	if (logFile !== undefined && source.kind !== 'spawn') {
		throw new CliError('--log goes with a program leaktop starts (leaktop -- node app.js, --demo): an attached process\'s output goes where it always went');
	}

	if (flags.duration !== undefined && mode !== 'report') {
		throw new CliError('--duration goes with --report');
	}

	if (flags.metricsSites !== undefined && flags.metrics === undefined) {
		throw new CliError('--metrics-sites goes with --metrics');
	}

	if ((flags.pushApp !== undefined || flags.pushQueue !== undefined) && flags.push === undefined) {
		throw new CliError('--push-app and --push-queue go with --push');
	}

	if (flags.push !== undefined && (flags.replay !== undefined || !/^https?:\/\/[^/]/.test(flags.push))) {
		throw new CliError(flags.replay === undefined ? `--push ${flags.push}: expected the server's http:// or https:// URL` : '--push goes with a live target, not --replay');
	}

	if (flags.metrics !== undefined && flags.replay !== undefined) {
		throw new CliError('--metrics goes with a live target, not --replay');
	}

	if (flags.failOnLeak && mode !== 'report') {
		throw new CliError('--fail-on-leak goes with --report');
	}

	return {
		mode,
		source,
		alsoInspect: inspect.slice(1).map(address => ({kind: 'inspect', address, allowRemote: flags.allowRemote})),
		durationMs: number('duration', flags.duration, defaultDurationSeconds, {min: 1, max: 7 * 24 * 3600, integer: false}) * 1000,
		intervalMs: number('interval', flags.interval, defaultIntervalMs, {min: 100, max: 3_600_000, integer: true}),
		samplingInterval: number('sampling-interval', flags.samplingInterval, defaultSamplingInterval, {min: 1024, max: 64 * 1024 * 1024, integer: true}),
		adaptSampling: flags.samplingInterval === undefined,
		// The demo is leaktop's own toy: it may pay more for a livelier view than a user's service would.
		maxOverhead: number('max-overhead', flags.maxOverhead, flags.demo ? demoMaxOverhead : defaultMaxOverhead, {min: 0.1, max: 2, integer: false}) / 100,
		readProcess: flags.eval,
		shareSampler: flags.shareSampler,
		percentile: number('percentile', flags.percentile, defaultPercentile, {min: 1, max: 99.99, integer: false}),
		metric: metricOf(flags.metric, flags.shareSampler),
		record: flags.record,
		exportDir: flags.export,
		failOnLeak: flags.failOnLeak,
		push: flags.push === undefined
			? undefined
			: {url: flags.push, application: flags.pushApp, queueLimit: number('push-queue', flags.pushQueue, 32, {min: 1, max: 1000, integer: true})},
		metrics: flags.metrics === undefined
			? undefined
			: {...parseListen(flags.metrics), topSites: number('metrics-sites', flags.metricsSites, 10, {min: 0, max: 1000, integer: true})},
		triggers: triggersOf(flags),
	};
}
