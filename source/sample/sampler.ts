import process from 'node:process';
import {CliError, oneLine} from '../errors.js';
import {formatBytes} from '../format.js';
import {Pacer} from './pacer.js';
import {adaptedInterval, maxSamplesPerSecond} from './sampling-rate.js';
import type {HeavyWork} from './heavy-work.js';
import type {Inspector} from '../attach/inspector.js';
import {maxOrdinalOf} from '../model/profile.js';
import type {HeapUsage, Metric, ProcessFigures, RawSnapshot} from '../model/snapshot.js';
import {sleep} from '../sleep.js';

export type SamplerEvent =
	| {readonly type: 'snapshot'; readonly snapshot: RawSnapshot}
	/** The heap's figures between polls, read without a GC. */
	| {readonly type: 'gauges'; readonly time: number; readonly heap: HeapUsage; readonly process: ProcessFigures | undefined}
	/** `gap`: sampling restarted, so history has a break here. */
	| {readonly type: 'notice'; readonly message: string; readonly gap?: boolean};

export type SamplerOptions = {
	readonly targetId: string;
	readonly intervalMs: number;
	readonly samplingInterval: number;
	/**
	 * The interval is the default, not the user's: at the first poll a second in, a target that allocates so fast that it
	 * would pay more than `maxSamplesPerSecond` gets a coarser one, once (a restart forgets every survivor).
	 */
	readonly adaptSampling?: boolean;
	/**
	 * Budget for the share of the target's time spent in polls, 0..1; read at each poll when a function (a
	 * process's budget is shared by its main thread and its workers, which come and go).
	 */
	readonly maxOverhead: number | (() => number);
	readonly readMemory: boolean;
	/** Read a sampler someone else started instead of refusing; never start or stop it. */
	readonly shareSampler: boolean;
	readonly signal: AbortSignal;
	/**
	 * When it aborts, the wait for the next poll ends: one last poll is taken at once (or the one in flight is
	 * the last), then sampling ends. A report then describes the target as it is at its end, however far the
	 * governor had stretched the interval.
	 */
	readonly finish?: AbortSignal;
	/** Runs once sampling is on: the moment a paused target may be let go. */
	readonly onSampling?: () => Promise<void>;
	/** The metric wanted now; read before every poll, so the user can switch it while sampling goes on. */
	readonly metric?: () => Metric;
	/**
	 * Settles when leaktop's own start-up work is done. A poll's round trip is the governor's measure of the
	 * target's pause, so none may run while leaktop's own thread is busy (loading the UI) and inflates it.
	 */
	readonly ready?: Promise<unknown>;
	/** A `poll` event on it ends the wait for the next poll: the user asked for a profile now. */
	readonly pollNow?: EventTarget;
	/** Heavy operations on the same target: polls wait for them, and do not govern by a poll they overlapped. */
	readonly heavy?: HeavyWork;
};

const notStarted = /not started/i;
const firstPollDelayMs = 300;
/** The sampling rate is read from a profile that covers this much sampling at least (see adaptedInterval). */
const minimumSampledMs = 1000;
/** Between polls the heap's figures come once a second: they cost no GC (~1 ms), so the view moves. */
const gaugeIntervalMs = 1000;

/**
 * Waits until the next poll is due (`due()`, on performance.now()'s clock, judged again at each tick: what the
 * heap read meanwhile says can move it), reading the heap's figures once a second meanwhile; a reading that fails
 * or waits behind a heavy operation is skipped, never a reason to poll early. Ends early when `signal` aborts or
 * the user asked for a profile now (`requested`).
 */
async function * betweenPolls(
	inspector: Inspector, due: () => number, readMemory: boolean, signal: AbortSignal, requested: PollRequests, heavy: HeavyWork | undefined, onHeap: (usedSize: number) => void,
): AsyncGenerator<SamplerEvent> {
	const waiting = AbortSignal.any([signal, requested.wake()]);
	const left = () => due() - performance.now();
	while (!waiting.aborted && !inspector.closed && left() > 0) {
		await sleep(Math.min(gaugeIntervalMs, Math.max(0, left())), waiting);
		if (waiting.aborted || inspector.closed || left() <= 0 || heavy?.busy === true) {
			continue;
		}

		const heap = await inspector.getHeapUsage().catch(() => undefined);
		if (heap !== undefined) {
			onHeap(heap.usedSize);
			yield {type: 'gauges', time: Date.now(), heap, process: readMemory ? await inspector.readProcess().catch(() => undefined) : undefined};
		}
	}

	requested.taken();
}

/**
 * The user's requests for a profile now: one made while no wait is on (during a poll, a heavy operation, the
 * first poll's delay) is kept for the next wait, which then ends at once.
 */
class PollRequests {
	private pending = false;
	private waking: AbortController | undefined;

	private readonly onPoll = () => {
		this.pending = true;
		this.waking?.abort();
	};

	constructor(private readonly source: EventTarget | undefined) {
		source?.addEventListener('poll', this.onPoll);
	}

	dispose(): void {
		this.source?.removeEventListener('poll', this.onPoll);
	}

	/** A signal that aborts when a profile is asked for (at once, when one was asked for already). */
	wake(): AbortSignal {
		this.waking = new AbortController();
		if (this.pending) {
			this.waking.abort();
		}

		return this.waking.signal;
	}

	taken(): void {
		this.pending = false;
		this.waking = undefined;
	}
}

async function samplerRunning(inspector: Inspector): Promise<boolean> {
	try {
		await inspector.getSamplingProfile();
		return true;
	} catch (error) {
		if (notStarted.test(oneLine(error))) {
			return false;
		}

		throw error;
	}
}

/**
 * Polls a target's sampling heap profile, one request at a time, at the requested interval stretched by the
 * overhead governor. Starts sampling first (unless sharing someone else's sampler) and stops what it started
 * when the consumer stops, the signal aborts, or the target goes away.
 */
export async function * sample(inspector: Inspector, options: SamplerOptions): AsyncGenerator<SamplerEvent> {
	let started = false;
	const pacer = new Pacer(options.intervalMs);
	let failures = 0;
	let readMemory = options.readMemory;
	let cpuMark = {usage: process.cpuUsage(), at: performance.now()};
	const untilNextPoll = options.finish === undefined ? options.signal : AbortSignal.any([options.signal, options.finish]);
	const requests = new PollRequests(options.pollNow);
	let {samplingInterval} = options;
	let mayAdapt = options.adaptSampling === true;
	const budgetNow = () => (typeof options.maxOverhead === 'function' ? options.maxOverhead() : options.maxOverhead);
	try {
		const running = await samplerRunning(inspector);
		if (running && !options.shareSampler) {
			throw new CliError('a sampling heap profiler is already running in the target (an APM agent or DevTools?); '
				+ 'leaktop will not start or stop it. Pass --share-sampler to read its profile as it is.');
		}

		let metric: Metric = 'retained';
		let since = Date.now();
		let samplingStartedAt: number | undefined;
		if (!running) {
			metric = options.metric?.() ?? 'retained';
			samplingStartedAt = Date.now();
			await inspector.startSampling(samplingInterval, metric === 'allocated');
			started = true;
		}

		await options.onSampling?.();
		// The sampler sees only what is allocated from now on: a first poll at once would show an empty table.
		await Promise.all([
			sleep(Math.min(options.intervalMs, firstPollDelayMs), options.signal),
			options.ready?.catch(() => undefined),
		]);
		while (!options.signal.aborted && !inspector.closed) {
			const wanted = options.metric?.() ?? metric;
			if (wanted !== metric) {
				if (!started) {
					yield {type: 'notice', message: 'measuring allocations restarts the sampler, and --share-sampler leaves it alone: staying on retained bytes'};
				} else {
					// Only a restart switches V8 between counting live objects and counting every allocation.
					await inspector.stopSampling().catch(() => undefined);
					samplingStartedAt = Date.now();
					await inspector.startSampling(samplingInterval, wanted === 'allocated');
					metric = wanted;
					since = Date.now();
					yield {
						type: 'notice',
						message: metric === 'allocated'
							? 'now measuring bytes allocated per second; history has a break here'
							: 'retained bytes again: the sampler restarted, so the retained picture and survivor ages start afresh here',
						gap: true,
					};
					// A poll right after the restart would cover no time at all.
					await sleep(options.intervalMs, options.signal);
					continue;
				}
			}

			await options.heavy?.idle();
			const heavyBefore = options.heavy?.started;
			let dearPoll: string | undefined;
			const start = performance.now();
			let snapshot: RawSnapshot;
			// The poll a report takes when its duration ends, however soon after the last one.
			const closing = options.finish?.aborted === true;
			try {
				const pollStart = Date.now();
				const counting = samplingStartedAt;
				// Counting allocations keeps every sample in the target until sampling restarts: restart each poll.
				const profile = metric === 'allocated' ? await inspector.stopSampling() : await inspector.getSamplingProfile();
				if (metric === 'allocated') {
					samplingStartedAt = Date.now();
					await inspector.startSampling(samplingInterval, true);
				}

				const end = performance.now();
				const heap = await inspector.getHeapUsage();
				let figures: ProcessFigures | undefined;
				if (readMemory) {
					figures = await inspector.readProcess().catch(() => undefined);
					if (figures === undefined) {
						readMemory = false;
						yield {type: 'notice', message: 'the target does not answer process.memoryUsage(): rss and external memory are not shown'};
					}
				}

				const overlapped = options.heavy !== undefined && (options.heavy.busy || options.heavy.started !== heavyBefore);
				const paced = pacer.polled({start, end, overlapped, empty: profile.samples.length === 0, retained: metric === 'retained', heapBytes: heap.usedSize, budget: budgetNow()});
				dearPoll = paced.dearPoll;
				const cpu = process.cpuUsage(cpuMark.usage);
				const now = performance.now();
				const selfCpu = (cpu.user + cpu.system) / 1000 / Math.max(1, now - cpuMark.at);
				cpuMark = {usage: process.cpuUsage(), at: now};
				snapshot = {
					targetId: options.targetId, time: Date.now(), profile, heap, process: figures, governor: paced.governor,
					samplingInterval, selfCpu, metric, since, samplingStartedAt: counting, ...(closing ? {closing: true} : {}),
				};
				since = pollStart;
				failures = 0;
			} catch (error) {
				if (inspector.closed || options.signal.aborted) {
					return;
				}

				if (notStarted.test(oneLine(error)) && !options.shareSampler) {
					// DevTools' allocation sampling or another tool stopped the shared sampler; take it back.
					samplingStartedAt = Date.now();
					await inspector.startSampling(samplingInterval, metric === 'allocated');
					since = Date.now();
					started = true;
					yield {type: 'notice', message: 'someone else (DevTools, an APM agent) stopped the sampler; restarted it, history has a break here', gap: true};
					continue;
				}

				failures++;
				const backoffMs = Math.min(30_000, options.intervalMs * (2 ** failures));
				yield {type: 'notice', message: `poll failed: ${oneLine(error)}; retrying in ${Math.round(backoffMs / 1000)} s`};
				await sleep(backoffMs, options.signal);
				continue;
			}

			yield {type: 'snapshot', snapshot};
			if (dearPoll !== undefined) {
				yield {type: 'notice', message: dearPoll};
			}

			if (options.finish?.aborted === true) {
				return;
			}

			// The rate is judged once, from the first profile that holds samples and covers a second of sampling at
			// least: an empty profile says nothing, and a program's first fraction of a second is its start-up.
			const sampledMs = snapshot.samplingStartedAt === undefined ? 0 : snapshot.time - snapshot.samplingStartedAt;
			if (mayAdapt && started && metric === 'retained' && snapshot.profile.samples.length > 0 && sampledMs >= minimumSampledMs) {
				mayAdapt = false;
				const samplesPerSecond = maxOrdinalOf(snapshot.profile) / (sampledMs / 1000);
				const adapted = adaptedInterval(samplingInterval, samplesPerSecond);
				if (adapted !== samplingInterval) {
					const was = samplingInterval;
					try {
						await inspector.stopSampling().catch(() => undefined);
						samplingStartedAt = Date.now();
						await inspector.startSampling(adapted);
						samplingInterval = adapted;
					} catch (error) {
						if (inspector.closed || options.signal.aborted) {
							return;
						}

						// Not restarted at the coarser interval: sampling goes on at the one it had.
						await inspector.startSampling(was).catch(() => undefined);
						yield {type: 'notice', message: `could not restart the sampler at a coarser interval (${oneLine(error)}); sampling goes on every ${formatBytes(was)}`, gap: true};
					}

					since = Date.now();
					if (samplingInterval !== was) {
						yield {
							type: 'notice',
							message: `the target allocates ~${formatBytes(samplesPerSecond * was)}/s: sampling every ${formatBytes(samplingInterval)} from here keeps the sampler under ${maxSamplesPerSecond.toLocaleString('en-US')} samples/s (--sampling-interval to choose); survivor ages start afresh here`,
							gap: true,
						};
					}
				}
			}

			let heapNow = snapshot.heap.usedSize;
			const due = pacer.wait(performance.now());
			// Not for a poll the user asked for, nor a report's closing one: those end the wait at once.
			yield * betweenPolls(inspector, () => due(heapNow, budgetNow(), performance.now()), readMemory, untilNextPoll, requests, options.heavy, usedSize => {
				heapNow = usedSize;
			});
			pacer.letGo(heapNow);
		}
	} catch (error) {
		// A target that went away mid-call (a program that failed at its first line, a worker that ended) ends
		// sampling; its end is told by the session, not as an error of leaktop's.
		if (!inspector.closed && !options.signal.aborted) {
			throw error;
		}
	} finally {
		requests.dispose();
		if (started && !inspector.closed) {
			await inspector.stopSampling().catch(() => undefined);
		}
	}
}
