import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Inspector} from '../source/attach/inspector.js';
import type {SamplingProfile} from '../source/model/profile.js';
import type {Governor, RawSnapshot} from '../source/model/snapshot.js';
import {govern} from '../source/sample/governor.js';
import {HeavyWork} from '../source/sample/heavy-work.js';
import {sample} from '../source/sample/sampler.js';

const profile: SamplingProfile = {head: {callFrame: {functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1}, selfSize: 0, id: 1, children: []}, samples: []};

/**
 * An inspector in-process whose calls, like CDP's over one connection, wait behind a heavy operation in
 * progress: what makes a poll sent during a heap snapshot look as slow as the snapshot.
 */
function inspectorBehind(heavy: HeavyWork): Inspector {
	let sampling = false;
	const answer = async <Value>(value: Value) => {
		await heavy.idle();
		await sleep(2);
		return value;
	};

	return {
		target: {id: 't', title: 'stub', url: '', type: 'node', webSocketDebuggerUrl: 'ws://127.0.0.1:1/t'},
		otherTargets: 0,
		closed: false,
		async startSampling() {
			sampling = true;
		},
		async getSamplingProfile() {
			if (!sampling) {
				throw new Error('Sampling heap profiler was not started');
			}

			return answer(profile);
		},
		async stopSampling() {
			sampling = false;
			return profile;
		},
		getHeapUsage: async () => answer({usedSize: 1e6, totalSize: 2e6}),
		readProcess: async () => answer({memory: {rss: 1, heapTotal: 1, heapUsed: 1, external: 1, arrayBuffers: 1}, pid: 1, uptimeSeconds: 1}),
		async runIfWaitingForDebugger() {},
		async takeHeapSnapshot() {},
		async collectGarbage() {},
		onClose() {},
		async close() {},
	} as unknown as Inspector;
}

describe('a heavy operation and the governor', () => {
	it('holds polls until it is done, and a poll it delays does not stretch the interval', async () => {
		const heavy = new HeavyWork();
		const stop = new AbortController();
		const snapshots: RawSnapshot[] = [];
		const polls = sample(inspectorBehind(heavy), {
			targetId: 't', intervalMs: 50, samplingInterval: 131_072, maxOverhead: 0.5, readMemory: false, shareSampler: false, signal: stop.signal, heavy,
		});
		for await (const event of polls) {
			if (event.type !== 'snapshot') {
				continue;
			}

			snapshots.push(event.snapshot);
			if (snapshots.length === 2) {
				// A "heap snapshot" of 600 ms, begun between two polls.
				void heavy.run(async () => sleep(600));
			}

			if (snapshots.length === 4) {
				stop.abort();
			}
		}

		const longest = Math.max(...snapshots.map(snapshot => snapshot.governor.lastPollMs));
		assert.ok(longest < 300, `a poll measured ${longest} ms: it waited behind the heavy operation`);
		assert.ok(snapshots.every(snapshot => snapshot.governor.intervalMs < 1000), snapshots.map(snapshot => snapshot.governor.intervalMs).join(', '));
	});
});

describe('a first profile with nothing in it', () => {
	/** An inspector whose polls take `pollMs` and whose profiles hold samples from the `from`th poll on. */
	function quietInspector(pollMs: number, from: number): Inspector {
		let polls = 0;
		let sampling = false;
		const sampled: SamplingProfile = {...profile, samples: [{size: 64, nodeId: 1, ordinal: 1}]};
		return {
			...inspectorBehind(new HeavyWork()),
			async startSampling() {
				sampling = true;
			},
			async getSamplingProfile() {
				if (!sampling) {
					throw new Error('Sampling heap profiler was not started');
				}

				await sleep(pollMs);
				return ++polls >= from ? sampled : profile;
			},
		} as Inspector;
	}

	async function governors(inspector: Inspector, count: number): Promise<Governor[]> {
		const stop = new AbortController();
		const found: Governor[] = [];
		for await (const event of sample(inspector, {targetId: 't', intervalMs: 20, samplingInterval: 131_072, maxOverhead: 0.05, readMemory: false, shareSampler: false, signal: stop.signal})) {
			if (event.type === 'snapshot') {
				found.push(event.snapshot.governor);
				if (found.length === count) {
					stop.abort();
				}
			}
		}

		return found;
	}

	it('is followed at once by a second, which the one after it pays back', async () => {
		// 5 ms polls at a 5% budget: governed every 100 ms or so; the interval asked for is 20 ms.
		const [first, second] = await governors(quietInspector(5, 2), 2);
		assert.equal(first!.intervalMs, 20, 'the second poll comes at the interval asked for');
		// What the governor alone gives after the polls as measured, and the early poll's cost at the budget on top.
		const governed = govern(govern(undefined, first!.lastPollMs, 20, 0.05), second!.lastPollMs, 20, 0.05).intervalMs;
		assert.ok(Math.abs(second!.intervalMs - (governed + (first!.lastPollMs / 0.05))) < 1e-6, `${second!.intervalMs} ms after the second poll, governed ${governed} ms`);
	});

	it('waits its turn when the first profile holds samples', async () => {
		const [first] = await governors(quietInspector(5, 1), 2);
		assert.ok(first!.intervalMs >= first!.lastPollMs / 0.05, `governed: ${first!.intervalMs} ms`);
	});
});

describe('the closing poll', () => {
	it('is marked, so the governed share leaves it out as it does the first', async () => {
		const stop = new AbortController();
		const finish = new AbortController();
		const snapshots: RawSnapshot[] = [];
		for await (const event of sample(inspectorBehind(new HeavyWork()), {
			targetId: 't', intervalMs: 60_000, samplingInterval: 131_072, maxOverhead: 0.5, readMemory: false, shareSampler: false, signal: stop.signal, finish: finish.signal,
		})) {
			if (event.type === 'snapshot') {
				snapshots.push(event.snapshot);
				// The report's duration ends while the next poll is far off: one more is taken at once.
				setTimeout(() => {
					finish.abort();
				}, 50);
			}
		}

		assert.deepEqual(snapshots.map(snapshot => snapshot.closing === true), [false, true]);
	});
});
