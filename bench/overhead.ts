// What leaktop costs the target, to the percent: one steady workload (bench/steady-target.cjs) runs in a real
// Node process, and each cost is switched on and off in adjacent one-second slices, many times over, inside one
// run. Each pair of adjacent slices gives one difference; the machine's drift (2× within minutes here) moves
// both slices of a pair alike and cancels. The cost is the mean difference with its 95% confidence interval.
// Split: being attached, the sampler at each interval, a poll, the heap reading, the memory expression; and a
// peer measured the same way in the same run: @datadog/pprof, the in-process heap profiler of Datadog's and
// Pyroscope's Node agents, at the same sampling interval and profile cadence.
import {fork, type ChildProcess} from 'node:child_process';
import {performance} from 'node:perf_hooks';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {connect, type Inspector} from '../source/attach/inspector.js';
import {defaultMaxOverhead, defaultIntervalMs, defaultSamplingInterval} from '../source/cli/options.js';
import {maxOrdinalOf} from '../source/model/profile.js';
import {govern} from '../source/sample/governor.js';
import type {Row} from './stats.js';

const targetPath = fileURLToPath(new URL('steady-target.cjs', import.meta.url));
const sliceMs = 1000;
/** The start of each slice is left out: a switch's own transient (a connection's handshake) is not its cost. */
const settleMs = 250;
const heapMb = 50;

type Tick = {readonly time: number; readonly done: number; readonly latencies: readonly number[]};

type Target = {
	readonly child: ChildProcess;
	readonly inspectPort: number;
	readonly ticks: Tick[];
	/** Sends the target a message and waits for it to be carried out. */
	tell(type: string, extra?: object): Promise<void>;
};

async function startTarget(mode: string): Promise<Target> {
	const child = fork(targetPath, [], {
		execArgv: ['--inspect=127.0.0.1:0'], env: {...process.env, MODE: mode, HEAP_MB: String(heapMb)}, stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
	});
	const ticks: Tick[] = [];
	const waiting: Array<() => void> = [];
	let stderr = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const ready = new Promise<void>((resolve, reject) => {
		child.on('message', (message: {type: string} & Tick) => {
			if (message.type === 'tick') {
				ticks.push({time: message.time, done: message.done, latencies: message.latencies});
			} else if (message.type === 'ready') {
				resolve();
			} else if (message.type === 'done') {
				waiting.shift()?.();
			}
		});
		child.on('exit', code => reject(new Error(`the bench target exited (${code}): ${stderr}`)));
	});
	await ready;
	const inspectPort = Number(/ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)![1]);
	return {
		child, inspectPort, ticks,
		async tell(type, extra = {}) {
			const done = new Promise<void>(resolve => {
				waiting.push(resolve);
			});
			child.send({type, ...extra});
			await done;
		},
	};
}

async function attach(target: Target): Promise<Inspector> {
	return connect({kind: 'http', host: '127.0.0.1', port: target.inspectPort});
}

/** What one slice measured: work done per ms, and the latencies of units done in it (rate mode). */
type Window = {readonly rate: number; readonly latencies: readonly number[]};

function windowOf(ticks: readonly Tick[], start: number, end: number): Window {
	const inside = ticks.filter(tick => tick.time >= start && tick.time <= end);
	const first = inside[0]!;
	const last = inside.at(-1)!;
	return {rate: (last.done - first.done) / (last.time - first.time), latencies: inside.slice(1).flatMap(tick => tick.latencies)};
}

/**
 * One cost to switch: `prepare` sets what both sides share, `set` switches the cost on or off at a slice's start,
 * `during` is what the on side does inside its measured part (a poll, a reading), `finish` undoes `prepare`.
 */
type Arm = {
	readonly name: string;
	prepare?(): Promise<void>;
	set?(on: boolean): Promise<void>;
	during?(): Promise<unknown>;
	finish?(): Promise<void>;
};

type Pair = {readonly on: Window; readonly off: Window};

async function runArm(target: Target, arm: Arm, pairs: number): Promise<Pair[]> {
	await arm.prepare?.();
	let state: boolean | undefined;
	const slice = async (on: boolean): Promise<[number, number]> => {
		const start = performance.now();
		if (state !== on) {
			await arm.set?.(on);
			state = on;
		}

		await sleep(Math.max(0, start + settleMs - performance.now()));
		const from = Number(process.hrtime.bigint()) / 1e6;
		if (on) {
			await arm.during?.();
		}

		await sleep(Math.max(0, start + sliceMs - performance.now()));
		return [from, Number(process.hrtime.bigint()) / 1e6];
	};

	const spans: Array<{on: [number, number]; off: [number, number]}> = [];
	for (let pair = 0; pair < pairs; pair++) {
		// on-off, off-on, …: a side never always comes first, and each switch is paid once per two slices.
		if (pair % 2 === 0) {
			const on = await slice(true);
			spans.push({on, off: await slice(false)});
		} else {
			const off = await slice(false);
			spans.push({off, on: await slice(true)});
		}
	}

	await arm.set?.(false);
	await arm.finish?.();
	await sleep(200);
	return spans.map(({on, off}) => ({on: windowOf(target.ticks, ...on), off: windowOf(target.ticks, ...off)}));
}

/** The mean of paired differences and its 95% confidence half-width (Student's t). */
type Estimate = {readonly mean: number; readonly half: number; readonly n: number};

function tQuantile(degrees: number): number {
	// Cornish-Fisher expansion of Student's t around the normal 97.5% point: within 0.5% from 5 degrees on.
	const z = 1.959_964;
	return z + (((z ** 3) + z) / (4 * degrees)) + (((5 * (z ** 5)) + (16 * (z ** 3)) + (3 * z)) / (96 * (degrees ** 2)));
}

export function estimate(values: readonly number[]): Estimate {
	const n = values.length;
	const mean = values.reduce((sum, value) => sum + value, 0) / n;
	const variance = values.reduce((sum, value) => sum + ((value - mean) ** 2), 0) / Math.max(1, n - 1);
	return {mean, half: n > 1 ? tQuantile(n - 1) * Math.sqrt(variance / n) : Number.POSITIVE_INFINITY, n};
}

function sum(...estimates: Estimate[]): Estimate {
	return {
		mean: estimates.reduce((total, {mean}) => total + mean, 0),
		half: Math.sqrt(estimates.reduce((total, {half}) => total + (half ** 2), 0)),
		n: Math.min(...estimates.map(({n}) => n)),
	};
}

const scale = (value: Estimate, by: number): Estimate => ({mean: value.mean * by, half: value.half * by, n: value.n});
const show = ({mean, half, n}: Estimate, unit: string, digits = 2) => `${mean.toFixed(digits)}${unit} ± ${half.toFixed(digits)}${unit} (n=${n} pairs)`;
/** Share of the target's work lost to the cost: 1 − on/off, per pair. */
const lostShare = (pairs: readonly Pair[]) => estimate(pairs.map(({on, off}) => 1 - (on.rate / off.rate)));

function percentile(values: readonly number[], share: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

/** Samples a second the sampler takes from this workload at `interval`, and what one poll takes: measured once. */
async function calibrate(target: Target, interval: number): Promise<{samplesPerSecond: number; pollMs: number}> {
	const inspector = await attach(target);
	try {
		await inspector.startSampling(interval);
		const start = performance.now();
		await sleep(3000);
		const profile = await inspector.getSamplingProfile();
		const samplesPerSecond = maxOrdinalOf(profile) / ((performance.now() - start) / 1000);
		const polls: number[] = [];
		for (let poll = 0; poll < 5; poll++) {
			const before = performance.now();
			await inspector.getSamplingProfile();
			polls.push(performance.now() - before);
		}

		await inspector.stopSampling();
		return {samplesPerSecond, pollMs: percentile(polls, 0.5)};
	} finally {
		await inspector.close();
	}
}

/** leaktop's arms: one CDP session held across slices, as leaktop holds it. */
function leaktopArms(target: Target): Arm[] {
	let inspector: Inspector | undefined;
	const open = async () => {
		inspector = await attach(target);
	};

	const close = async () => {
		await inspector?.close();
		inspector = undefined;
	};

	const sampling = (interval: number): Arm => ({
		name: `the sampler at ${interval / 1024} KiB`,
		prepare: open,
		async set(on) {
			await (on ? inspector!.startSampling(interval) : inspector!.stopSampling());
		},
		finish: close,
	});
	const sampled = (name: string, during: () => Promise<unknown>): Arm => ({
		name,
		async prepare() {
			await open();
			await inspector!.startSampling(defaultSamplingInterval);
		},
		during,
		async finish() {
			await inspector!.stopSampling();
			await close();
		},
	});
	return [
		{name: 'being attached (no sampler)', async set(on) {
			await (on ? open() : close());
		}},
		...[32, 64, 128, 256, 512].map(size => sampling(size * 1024)),
		sampled('one poll (getSamplingProfile: a full GC, then the profile)', async () => inspector!.getSamplingProfile()),
		sampled('one heap reading (getHeapUsage)', async () => inspector!.getHeapUsage()),
		sampled('one memory expression (process.memoryUsage())', async () => inspector!.readProcess()),
	];
}

function peerArms(target: Target): Arm[] {
	return [
		{name: `the peer's sampler at ${defaultSamplingInterval / 1024} KiB`, async set(on) {
			await (on ? target.tell('peer-start', {interval: defaultSamplingInterval}) : target.tell('peer-stop'));
		}},
		{
			name: 'one peer profile (collect and encode, in the target)',
			prepare: async () => target.tell('peer-start', {interval: defaultSamplingInterval}),
			during: async () => target.tell('peer-profile'),
			finish: async () => target.tell('peer-stop'),
		},
	];
}

async function throughput(rows: Row[], pairs: number): Promise<void> {
	const target = await startTarget('saturate');
	try {
		await sleep(2000);
		const {samplesPerSecond, pollMs} = await calibrate(target, defaultSamplingInterval);
		const results = new Map<string, Estimate>();
		for (const arm of [...leaktopArms(target), ...peerArms(target)]) {
			process.stderr.write(`bench: overhead at saturation, ${arm.name} (${pairs} pairs)\n`);
			results.set(arm.name, lostShare(await runArm(target, arm, pairs)));
		}

		const percent = (value: Estimate) => show(scale(value, 100), '%');
		const measuredMs = sliceMs - settleMs;
		const perEvent = (name: string) => scale(results.get(name)!, measuredMs);
		const sampler = (interval: number) => results.get(`the sampler at ${interval / 1024} KiB`)!;
		for (const [name, value] of results) {
			const interval = /the sampler at (\d+) KiB/.exec(name);
			const samples = interval === null ? '' : `, ${Math.round((samplesPerSecond * defaultSamplingInterval) / (Number(interval[1]) * 1024))} samples/s`;
			const once = /^one /.test(name);
			rows.push({
				what: `cost to the target at saturation: ${name}${samples}`,
				figure: once ? `${show(perEvent(name), ' ms')} of the target's work${name.includes('poll') ? ` (the poll's round trip: ${pollMs.toFixed(0)} ms)` : ''}` : percent(value),
				budget: '', met: undefined,
			});
		}

		const perSampleUs = scale(sampler(defaultSamplingInterval), 1e6 / samplesPerSecond);
		rows.push({what: `one sample's cost to the target (the sampler at ${defaultSamplingInterval / 1024} KiB ÷ its ${Math.round(samplesPerSecond)} samples/s)`, figure: show(perSampleUs, ' µs', 1), budget: '', met: undefined});

		// The default cadence on this heap, as the governor sets it from the poll's round trip.
		const cadenceMs = govern(govern(undefined, pollMs, defaultIntervalMs, defaultMaxOverhead / 100), pollMs, defaultIntervalMs, defaultMaxOverhead / 100).intervalMs;
		const atCadence = (name: string) => scale(perEvent(name), 1 / cadenceMs);
		const leaktop = sum(results.get('being attached (no sampler)')!, sampler(defaultSamplingInterval), atCadence('one poll (getSamplingProfile: a full GC, then the profile)'),
			scale(perEvent('one heap reading (getHeapUsage)'), 1 / 1000), scale(perEvent('one memory expression (process.memoryUsage())'), 1 / 1000));
		const peer = sum(results.get(`the peer's sampler at ${defaultSamplingInterval / 1024} KiB`)!, atCadence('one peer profile (collect and encode, in the target)'));
		const setting = `${defaultSamplingInterval / 1024} KiB, a profile every ${(cadenceMs / 1000).toFixed(1)} s (${heapMb} MB heap)`;
		rows.push({what: `leaktop at defaults, all parts summed (${setting}, heap and memory readings at 1 Hz)`, figure: percent(leaktop), budget: '≤ 2% (≥ 98% of unattached)', met: leaktop.mean + leaktop.half <= 0.02});
		rows.push({what: `the peer at the same settings (in-process sampler, ${setting})`, figure: percent(peer), budget: '', met: undefined});
		rows.push({what: 'leaktop\'s cost ÷ the peer\'s', figure: peer.mean > 0 ? `×${(leaktop.mean / peer.mean).toFixed(2)}` : 'the peer cost nothing measurable', budget: '', met: undefined});
	} finally {
		target.child.kill();
	}
}

async function latency(rows: Row[], pairs: number): Promise<void> {
	// Half of what the workload does flat out, measured first on its own.
	const probe = await startTarget('saturate');
	await sleep(3000);
	const from = probe.ticks.at(-1)!;
	await sleep(2000);
	const to = probe.ticks.at(-1)!;
	probe.child.kill();
	const rate = Math.round(((to.done - from.done) / (to.time - from.time)) * 500);
	const target = await startTarget(`rate:${rate}`);
	try {
		await sleep(2000);
		const [, , , sampler128, , , poll] = leaktopArms(target);
		for (const arm of [sampler128!, poll!]) {
			process.stderr.write(`bench: latency at half load (${rate}/s), ${arm.name} (${pairs} pairs)\n`);
			const measured = await runArm(target, arm, pairs);
			const mean = (values: readonly number[]) => values.reduce((total, value) => total + value, 0) / Math.max(1, values.length);
			const meanAdded = estimate(measured.map(({on, off}) => mean(on.latencies) - mean(off.latencies)));
			const p99Added = estimate(measured.map(({on, off}) => percentile(on.latencies, 0.99) - percentile(off.latencies, 0.99)));
			rows.push({what: `latency at half load (${rate} units/s), ${arm.name}: mean added`, figure: show(meanAdded, ' ms', 3), budget: '', met: undefined});
			rows.push({what: `latency at half load, ${arm.name}: p99 of its slice added`, figure: show(p99Added, ' ms', 3), budget: '', met: undefined});
		}
	} finally {
		target.child.kill();
	}
}

export async function benchOverhead(quick: boolean): Promise<Row[]> {
	const rows: Row[] = [];
	const pairs = quick ? 8 : 30;
	await throughput(rows, pairs);
	await latency(rows, pairs);
	return rows;
}
