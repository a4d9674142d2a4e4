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
import {adaptedInterval} from '../source/sample/sampling-rate.js';
import type {Row} from './stats.js';

const targetPath = fileURLToPath(new URL('steady-target.cjs', import.meta.url));
const sliceMs = 1000;
/** The start of each slice is left out: a switch's own transient (a connection's handshake) is not its cost. */
const settleMs = 250;
const heapMb = 50;

type Tick = {readonly time: number; readonly cpuMs: number; readonly done: number; readonly latencies: readonly number[]};

type Target = {
	readonly child: ChildProcess;
	readonly inspectPort: number;
	readonly ticks: Tick[];
	/** Sends the target a message and waits for it to be carried out. */
	tell(type: string, extra?: object): Promise<void>;
};

export async function startTarget(mode: string): Promise<Target> {
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
				ticks.push({time: message.time, cpuMs: message.cpuMs, done: message.done, latencies: message.latencies});
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
type Window = {readonly rate: number; readonly cpuShare: number; readonly latencies: readonly number[]};

function windowOf(ticks: readonly Tick[], start: number, end: number): Window {
	const inside = ticks.filter(tick => tick.time >= start && tick.time <= end);
	const first = inside[0]!;
	const last = inside.at(-1)!;
	return {rate: (last.done - first.done) / (last.time - first.time), cpuShare: (last.cpuMs - first.cpuMs) / (last.time - first.time), latencies: inside.slice(1).flatMap(tick => tick.latencies)};
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
	/** How many times `during` runs in a measured part: an event too cheap to see once is seen this many times. */
	readonly times?: number;
	finish?(): Promise<void>;
};

type Pair = {readonly on: Window; readonly off: Window};

export async function runArm(target: Target, arm: Arm, pairs: number): Promise<Pair[]> {
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
		for (let time = 0; on && time < (arm.times ?? 1); time++) {
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

/**
 * The paired differences' 20%-trimmed mean and its 95% confidence half-width (Yuen's, from the winsorized
 * variance): this machine's slices have heavy tails (one slice in twenty loses a third of its work to a
 * neighbour), which a plain mean would carry into every figure.
 */
type Estimate = {readonly mean: number; readonly half: number; readonly n: number};

function tQuantile(degrees: number): number {
	// Cornish-Fisher expansion of Student's t around the normal 97.5% point: within 0.5% from 5 degrees on.
	const z = 1.959_964;
	return z + (((z ** 3) + z) / (4 * degrees)) + (((5 * (z ** 5)) + (16 * (z ** 3)) + (3 * z)) / (96 * (degrees ** 2)));
}

const trim = 0.2;

export function estimate(values: readonly number[]): Estimate {
	const n = values.length;
	const sorted = [...values].sort((a, b) => a - b);
	const cut = Math.floor(trim * n);
	const kept = sorted.slice(cut, n - cut);
	const mean = kept.reduce((total, value) => total + value, 0) / kept.length;
	const winsorized = sorted.map(value => Math.min(Math.max(value, kept[0]!), kept.at(-1)!));
	const winsorizedMean = winsorized.reduce((total, value) => total + value, 0) / n;
	const variance = winsorized.reduce((total, value) => total + ((value - winsorizedMean) ** 2), 0) / Math.max(1, n - 1);
	const degrees = kept.length - 1;
	return {mean, half: degrees > 0 ? (tQuantile(degrees) * Math.sqrt(variance)) / ((1 - (2 * trim)) * Math.sqrt(n)) : Number.POSITIVE_INFINITY, n};
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
export const lostShare = (pairs: readonly Pair[]) => estimate(pairs.map(({on, off}) => 1 - (on.rate / off.rate)));

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

/** Sampling intervals measured, in KiB: the fine ones cost enough to resolve a sample's cost to a few percent. */
const samplerSizes = [8, 32, 128];
const pollArm = 'one poll (getSamplingProfile: a full GC, then the profile)';
const heapArm = 'one heap reading (getHeapUsage)';
const memoryArm = 'one memory expression (process.memoryUsage())';
const peerProfileArm = 'one peer profile (collect and encode, in the target)';
/**
 * How many times each event runs in an on slice: one poll or reading is lost in a slice's noise (~8% here),
 * ten polls or thirty readings are not, and their cost each is the slice's loss divided among them.
 */
const repeats = new Map([[pollArm, 10], [heapArm, 30], [memoryArm, 30], [peerProfileArm, 10]]);

/**
 * One sample's cost, from every sampler arm: each arm's lost share per sample a second, weighted by its
 * precision (the fine intervals lose most and say most).
 */
function perSample(results: ReadonlyMap<string, Estimate>, prefix: string, samplesAt: (kib: number) => number): Estimate {
	let weighted = 0;
	let weights = 0;
	let n = Number.POSITIVE_INFINITY;
	for (const size of samplerSizes) {
		const arm = results.get(`${prefix} ${size} KiB`)!;
		const each = scale(arm, 1 / samplesAt(size));
		const weight = 1 / Math.max(1e-18, each.half ** 2);
		weighted += each.mean * weight;
		weights += weight;
		n = Math.min(n, arm.n);
	}

	return {mean: weighted / weights, half: 1 / Math.sqrt(weights), n};
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
		times: repeats.get(name),
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
		{name: attachedArm, async set(on) {
			await (on ? open() : close());
		}},
		...samplerSizes.map(size => sampling(size * 1024)),
		sampled(pollArm, async () => inspector!.getSamplingProfile()),
		sampled(heapArm, async () => inspector!.getHeapUsage()),
		sampled(memoryArm, async () => inspector!.readProcess()),
	];
}

const attachedArm = 'being attached (no sampler)';

function peerArms(target: Target): Arm[] {
	return [
		...samplerSizes.map((size): Arm => ({name: `the peer's sampler at ${size} KiB`, async set(on) {
			await (on ? target.tell('peer-start', {interval: size * 1024}) : target.tell('peer-stop'));
		}})),
		{
			name: peerProfileArm,
			times: repeats.get(peerProfileArm),
			prepare: async () => target.tell('peer-start', {interval: defaultSamplingInterval}),
			during: async () => target.tell('peer-profile'),
			finish: async () => target.tell('peer-stop'),
		},
	];
}

/**
 * Being attached, on an idle target: a session with no call in flight runs nothing in the target, whatever it
 * does, so its cost is CPU time a second, measured where nothing else moves it (at saturation it is lost in
 * the slices' noise).
 */
async function idleAttached(pairs: number): Promise<Estimate> {
	const target = await startTarget('idle');
	try {
		await sleep(1000);
		process.stderr.write(`bench: overhead on an idle target, ${attachedArm} (${pairs} pairs)\n`);
		const measured = await runArm(target, leaktopArms(target).find(({name}) => name === attachedArm)!, pairs);
		return estimate(measured.map(({on, off}) => on.cpuShare - off.cpuShare));
	} finally {
		target.child.kill();
	}
}

async function throughput(rows: Row[], pairs: number): Promise<void> {
	const attached = await idleAttached(pairs);
	const target = await startTarget('saturate');
	try {
		await sleep(2000);
		const {samplesPerSecond, pollMs} = await calibrate(target, defaultSamplingInterval);
		const results = new Map<string, Estimate>();
		for (const arm of [...leaktopArms(target), ...peerArms(target)].filter(({name}) => name !== attachedArm)) {
			process.stderr.write(`bench: overhead at saturation, ${arm.name} (${pairs} pairs)\n`);
			results.set(arm.name, lostShare(await runArm(target, arm, pairs)));
		}

		const percent = (value: Estimate) => show(scale(value, 100), '%');
		const measuredMs = sliceMs - settleMs;
		const perEvent = (name: string) => scale(results.get(name)!, measuredMs / repeats.get(name)!);
		const samplesAt = (kib: number) => (samplesPerSecond * defaultSamplingInterval) / (kib * 1024);
		rows.push({what: 'cost to an idle target: being attached, no call in flight (CPU time a second)', figure: percent(attached), budget: '', met: undefined});
		for (const [name, value] of results) {
			const interval = /sampler at (\d+) KiB/.exec(name);
			const samples = interval === null ? '' : `, ${Math.round(samplesAt(Number(interval[1])))} samples/s`;
			const times = repeats.get(name);
			rows.push({
				what: `cost to the target at saturation: ${name}${samples}`,
				figure: times === undefined ? percent(value) : `${show(perEvent(name), ' ms')} of its work each (${times} in a slice)${name === pollArm ? `; its round trip ${pollMs.toFixed(0)} ms` : ''}`,
				budget: '', met: undefined,
			});
		}

		const leaktopSample = perSample(results, 'the sampler at', samplesAt);
		const peerSample = perSample(results, 'the peer\'s sampler at', samplesAt);
		rows.push({what: 'one sample\'s cost to the target, from every interval weighted by precision: leaktop\'s sampler', figure: show(scale(leaktopSample, 1e6), ' µs', 2), budget: '', met: undefined});
		rows.push({what: 'one sample\'s cost to the target: the peer\'s sampler (the same V8 sampler, started in-process)', figure: show(scale(peerSample, 1e6), ' µs', 2), budget: '', met: undefined});
		for (const kib of [32, 64, 128, 256, 512, 1024]) {
			rows.push({what: `the sampler at ${kib} KiB on this workload (${Math.round(samplesAt(kib))} samples/s × one sample's cost)`, figure: percent(scale(leaktopSample, samplesAt(kib))), budget: '', met: undefined});
		}

		// leaktop's default on this workload: the interval it adapts to at its first poll, and the cadence the
		// governor sets from the poll's round trip on this heap.
		const interval = adaptedInterval(defaultSamplingInterval, samplesPerSecond);
		const rate = (samplesPerSecond * defaultSamplingInterval) / interval;
		const cadenceMs = govern(govern(undefined, pollMs, defaultIntervalMs, defaultMaxOverhead / 100), pollMs, defaultIntervalMs, defaultMaxOverhead / 100).intervalMs;
		const atCadence = (name: string) => scale(perEvent(name), 1 / cadenceMs);
		const perSecond = (name: string) => scale(perEvent(name), 1 / 1000);
		const parts = (samples: number) => [attached, scale(leaktopSample, samples), atCadence(pollArm), perSecond(heapArm), perSecond(memoryArm)];
		const leaktop = sum(...parts(rate));
		const peer = sum(scale(peerSample, rate), atCadence(peerProfileArm));
		const setting = `${interval / 1024} KiB (${Math.round(rate)} samples/s), a profile every ${(cadenceMs / 1000).toFixed(1)} s (${heapMb} MB heap)`;
		rows.push({what: `leaktop at defaults, its parts summed: attached, sampler at ${setting}, heap and memory readings at 1 Hz`, figure: percent(leaktop), budget: '≤ 2% (≥ 98% of unattached)', met: leaktop.mean <= 0.02});
		rows.push({what: `the same at a fixed 128 KiB (${Math.round(samplesPerSecond)} samples/s), the default before it adapted`, figure: percent(sum(...parts(samplesPerSecond))), budget: '', met: undefined});
		rows.push({what: `the peer at the same settings (in-process sampler at ${setting})`, figure: percent(peer), budget: '', met: undefined});
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
		const arms = leaktopArms(target);
		for (const arm of arms.filter(({name}) => name === 'the sampler at 128 KiB' || name === pollArm)) {
			process.stderr.write(`bench: latency at half load (${rate}/s), ${arm.name} (${pairs} pairs)\n`);
			const measured = await runArm(target, {...arm, times: 1}, pairs);
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
	const pairs = quick ? 8 : 40;
	await throughput(rows, pairs);
	await latency(rows, pairs);
	return rows;
}
