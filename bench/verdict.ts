// Time to verdict: how soon, at default settings, the leak verdict is right and stays right, for each shape of
// program the tests use; with survivor age, and with the window's growth alone (the verdict before it), from
// the same recorded run. Each run is a real leaktop --report --record on a spawned target.
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

type Shape = {readonly name: string; readonly what: string; readonly seconds: number; readonly leaks: readonly string[]};

const shapes: readonly Shape[] = [
	{name: 'fast-leak', what: 'a fast leak, ~1 GB/min', seconds: 10, leaks: ['leakFast']},
	{name: 'slow-leak-warm-cache', what: 'a slow leak beside a 450 MB cache warming up for 25 s', seconds: 60, leaks: ['leakSlowly']},
	{name: 'shapes', what: 'LRU, TTL sessions, one-time cache, spike, churn: no leak', seconds: 30, leaks: []},
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
		if (event.type !== 'snapshot') {
			continue;
		}

		const target = model.targets[0]!;
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
		for (const shape of shapes) {
			const recording = join(dir, `${shape.name}.ltrec`);
			const target = new URL(`../test/targets/${shape.name}.cjs`, import.meta.url).pathname;
			await promisify(execFile)(process.execPath, [bin, '--report', '--duration', String(shape.seconds), '--record', recording, '--', process.execPath, target], {maxBuffer: 64 * 2 ** 20});
			const withAge = timeToVerdict(recording, shape, 'tree');
			const growthAlone = timeToVerdict(recording, shape, 'growth');
			rows.push({
				what: `time to a right verdict: ${shape.what}`,
				figure: `${describe(withAge, shape.seconds)} (growth alone: ${describe(growthAlone, shape.seconds)})`,
				budget: `right by the end of a ${shape.seconds} s report`,
				met: withAge !== undefined,
			});
		}
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}

	return rows;
}
