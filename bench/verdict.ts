// Time to verdict: how soon, at default settings, the leak verdict is right and stays right, for each shape of
// program the tests use, on Node 20 and 24: as judged now (leaf sites, the call tree, late leaks), by leaf sites'
// survivor age alone (the verdict before the call tree), and by the window's growth alone (before survivor age),
// from the same recorded run. Each run is a real leaktop --report --record on a spawned target, with no V8 flags.
import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {judgedSites} from '../source/model/judged.js';
import {judgeSites, rankSites} from '../source/model/ranking.js';
import {activeHistory, createModel, type TargetState} from '../source/model/target.js';
import {decodeRecording} from '../source/sinks/recording-format.js';
import type {Row} from './stats.js';

type Shape = {
	readonly name: string; readonly what: string; readonly seconds: number; readonly leaks: readonly string[];
	readonly args?: readonly string[];
	/** Whose verdict counts: the process's, or its worker's. */
	readonly kind?: 'process' | 'worker';
};

const shapes: readonly Shape[] = [
	{name: 'fast-leak', what: 'a fast leak, ~1 GB/min', seconds: 10, leaks: ['leakFast']},
	{name: 'slow-leak-warm-cache', what: 'a slow leak beside a 450 MB cache warming up for 25 s', seconds: 60, leaks: ['leakSlowly']},
	{name: 'shapes', what: 'LRU, TTL sessions, one-time cache, spike, churn: no leak (30 s)', seconds: 30, leaks: []},
	{name: 'shapes', what: 'LRU, TTL sessions, one-time cache, spike, churn: no leak (120 s)', seconds: 120, leaks: []},
	{name: 'timer-leak', what: 'a timer callback leaking ~3 MB/s, which V8 inlines into listOnTimeout', seconds: 60, leaks: ['rememberJobs']},
	{name: 'timer-leak', what: 'the same in a worker thread', seconds: 60, leaks: ['rememberJobs'], args: ['worker'], kind: 'worker'},
	{name: 'late-leak', what: 'a leak that begins 25 s in, beside TTL sessions and an LRU', seconds: 90, leaks: ['leakLate']},
];

/** The Node versions targets run on: leaktop's own, and the newest users run (installed by test/node-versions). */
const nodes: ReadonlyArray<{readonly label: string; readonly path: string}> = [
	{label: `Node ${process.versions.node.split('.')[0]}`, path: process.execPath},
	{label: 'Node 24', path: new URL('../test/node-versions/node_modules/node24/bin/node', import.meta.url).pathname},
];

/** How a verdict is reached: today's (call tree and late leaks), leaf sites alone (the verdict before), or growth alone. */
type Judge = 'tree' | 'leaf' | 'growth';

function suspects(target: TargetState, judge: Judge): string {
	const history = activeHistory(target);
	const latest = target.latestAggregates.site;
	if (latest === undefined) {
		return '';
	}

	const grouped = target.latestAggregates.user;
	const userFrames = grouped === undefined || target.latest === undefined ? undefined : {profile: target.latest.profile, grouped};
	const rows = judge === 'tree'
		? judgedSites(target, 'leak')
		: rankSites(history, latest, history.points(), 'leak', target.samplingInterval, judgeSites(history, latest, target.samplingInterval, true, judge === 'leaf' ? {userFrames} : {survivorAge: false}));
	return rows.filter(row => row.suspect).map(row => row.functionName).sort().join(',');
}

type Verdict = {readonly seconds: number; readonly polls: number; readonly pauseShare: number} | undefined;

/** Replays a recording poll by poll; the first poll from which the suspects are right at every later poll. */
function timeToVerdict(recording: string, shape: Shape, judge: Judge): Verdict {
	const model = createModel();
	const expected = [...shape.leaks].sort().join(',');
	let since: Verdict;
	for (const event of decodeRecording(readFileSync(recording)).events) {
		model.apply(event);
		const target = model.target(event.targetId);
		if (event.type !== 'snapshot' || target === undefined || (target.info.kind ?? 'process') !== (shape.kind ?? 'process')) {
			continue;
		}

		if (suspects(target, judge) !== expected) {
			since = undefined;
		} else if (since === undefined) {
			const seconds = (event.time - target.attachedAt) / 1000;
			since = {seconds, polls: target.snapshots, pauseShare: target.pollMsTotal / Math.max(1, event.time - target.attachedAt)};
		}
	}

	return since;
}

function describe(verdict: Verdict, seconds: number): string {
	return verdict === undefined ? `not right by the end (${seconds} s)` : `${verdict.seconds.toFixed(1)} s, ${verdict.polls} polls, pause ${(verdict.pauseShare * 100).toFixed(2)}%`;
}

export async function benchVerdict(): Promise<Row[]> {
	const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-verdict-'));
	const bin = new URL('../bin/leaktop.js', import.meta.url).pathname;
	const rows: Row[] = [];
	try {
		for (const node of nodes) {
			for (const shape of shapes) {
				// One target at a time: they would slow each other down.
				const recording = join(dir, `${shape.name}.ltrec`);
				const target = new URL(`../test/targets/${shape.name}.cjs`, import.meta.url).pathname;
				await promisify(execFile)(process.execPath, [bin, '--report', '--duration', String(shape.seconds), '--record', recording, '--', node.path, target, ...shape.args ?? []], {maxBuffer: 64 * 2 ** 20});
				const now = timeToVerdict(recording, shape, 'tree');
				const leaf = timeToVerdict(recording, shape, 'leaf');
				const growthAlone = timeToVerdict(recording, shape, 'growth');
				rows.push({
					what: `time to a right verdict, ${node.label}: ${shape.what}`,
					figure: `${describe(now, shape.seconds)} (leaf sites alone: ${describe(leaf, shape.seconds)}; growth alone: ${describe(growthAlone, shape.seconds)})`,
					budget: `right by the end of a ${shape.seconds} s report`,
					met: now !== undefined,
				});
				rmSync(recording, {force: true});
			}
		}
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}

	return rows;
}
