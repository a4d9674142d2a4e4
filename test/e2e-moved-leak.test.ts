import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {Report, ReportSite} from '../source/sinks/report.js';
import {runLeaktop, target, targetNode} from './run-leaktop.js';

// A timer callback that leaks (test/targets/timer-leak.cjs). TurboFan inlines it into Node's own listOnTimeout (seen
// with --trace-turbo-inlining: "Inlining … rememberJobs … into … listOnTimeout"): on Node 20 after ~12 s; on 22 and
// 24, which tier up by invocation count, after 3000 ticks of the timer (30 s). The tests give the target a smaller
// budget so the move comes within seconds (~3 s on 20, 5–9 s on 22 and 24). From then on V8 charges the callback's
// allocations to listOnTimeout: judged leaf by leaf, the leak is two halves.
const seconds = 25;
// Node 20 tiers up by an interrupt budget; 22 and later by invocation counts (and reject the older flag).
const earlyInlining = (version: string) => (version === '20' ? '--interrupt-budget=16000' : '--invocation-count-for-turbofan=300');

// Two runs at a time: the suite's time is what they cost together, and each target needs its share of two cores.
let running = 0;
const waiting: Array<() => void> = [];
async function slot<Result>(work: () => Promise<Result>): Promise<Result> {
	if (running >= 2) {
		await new Promise<void>(resolve => {
			waiting.push(resolve);
		});
	}

	running++;
	try {
		return await work();
	} finally {
		running--;
		waiting.shift()?.();
	}
}

function report(version: '20' | '22' | '24', args: readonly string[]): Promise<Report> {
	return slot(async () => runLeaktop(['--report', '--duration', String(seconds), '--max-overhead', '2', '--', targetNode(version), earlyInlining(version), target('timer-leak'), ...args], (seconds + 120) * 1000).then(run => {
		assert.equal(run.code, 0, run.stderr);
		return JSON.parse(run.stdout) as Report;
	}));
}

const runs = {
	main20: report('20', []),
	worker20: report('20', ['worker']),
	main22: report('22', []),
	main24: report('24', []),
	worker24: report('24', ['worker']),
};
// Each run is awaited by its test; none may be left unawaited if an earlier test fails.
for (const run of Object.values(runs)) {
	run.catch(() => undefined);
}

function describeSites(sites: readonly ReportSite[]): string {
	return sites.slice(0, 6).map(site => `${site.name} ${site.verdict}${site.suspect ? ' ▲' : ''}`).join('; ');
}

/** The leak is named by the callback, and no suspect is left without a frame of the user's code. */
function assertNamedByTheCallback(sites: readonly ReportSite[]): void {
	const suspects = sites.filter(site => site.suspect);
	assert.deepEqual(suspects.map(site => site.functionName), ['rememberJobs'], describeSites(sites));
	for (const suspect of suspects) {
		assert.equal(suspect.userFrame?.functionName, 'rememberJobs', suspect.name);
	}
}

/** That V8 did move the leak: listOnTimeout holds part of it, and the report says when and why. */
function assertMoved(sites: readonly ReportSite[]): void {
	const leak = sites.find(site => site.functionName === 'rememberJobs')!;
	assert.notEqual(leak.moved, null, describeSites(sites));
	assert.equal(leak.moved!.caller.functionName, 'listOnTimeout');
	assert.equal(leak.moved!.moves[0]!.cause, 'inlined');
	assert.ok(leak.moved!.liveBytes > leak.liveBytes, 'both halves together hold more than the callback alone');
	const caller = sites.find(site => site.functionName === 'listOnTimeout')!;
	assert.equal(caller.suspect, false, 'the caller is not a second suspect');
	assert.match(caller.partOf ?? '', /^rememberJobs \(/);
}

describe('a leak V8 moves by inlining is still one leak, named by the user\'s code', () => {
	for (const version of ['20', '22', '24'] as const) {
		it(`on the main thread (Node ${version}): the timer callback, joined with what V8 charged to listOnTimeout`, async () => {
			const {sites} = await runs[`main${version}`];
			assertNamedByTheCallback(sites);
			assertMoved(sites);
		});
	}

	for (const version of ['20', '24'] as const) {
		it(`in a worker thread (Node ${version})`, async () => {
			const report = await runs[`worker${version}`];
			const worker = report.targets!.find(entry => entry.kind === 'worker')!;
			assertNamedByTheCallback(worker.sites);
			assertMoved(worker.sites);
			assert.deepEqual(report.sites.filter(site => site.suspect).map(site => site.functionName), ['rememberJobs'], 'the merged sites say the same');
		});
	}
});
