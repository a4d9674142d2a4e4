// An agent left attached to the bundled demo (10 minutes; --quick: 2) with --metrics served and --push aimed at
// a Pyroscope that is down the whole time: does it hold the pause budget, and does its own memory stay flat
// while the push queue is full?
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {get} from 'node:http';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {defaultMaxOverhead} from '../source/cli/options.js';
import {loadRecording} from '../source/sinks/recording-reader.js';
import {bin, collect, freePort} from '../test/run-leaktop.js';
import type {Row} from './stats.js';
import {cpuSeconds, rssBytes} from './target.js';

/** leaktop's own /metrics, as Prometheus would scrape it. */
export async function scrape(port: number): Promise<string> {
	return new Promise((resolve, reject) => {
		get({host: '127.0.0.1', port, path: '/metrics'}, response => {
			let body = '';
			response.on('data', (chunk: Buffer) => {
				body += chunk.toString();
			});
			response.on('end', () => resolve(body));
		}).on('error', reject);
	});
}

function gauge(text: string, name: string): number {
	const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
	return match === null ? Number.NaN : Number(match[1]);
}

/** Least-squares slope of `values` over `times` (per unit of time). */
function slope(times: readonly number[], values: readonly number[]): number {
	const meanTime = times.reduce((sum, time) => sum + time, 0) / times.length;
	const meanValue = values.reduce((sum, value) => sum + value, 0) / values.length;
	let covariance = 0;
	let variance = 0;
	for (const [index, time] of times.entries()) {
		covariance += (time - meanTime) * (values[index]! - meanValue);
		variance += (time - meanTime) ** 2;
	}

	return covariance / variance;
}

type Poll = {readonly start: number; readonly end: number; readonly ms: number; readonly heapBytes: number};

/** The share of [from, to) spent in polls, each counted as far as it overlaps. */
function pausedShare(polls: readonly Poll[], from: number, to: number): number {
	return polls.reduce((sum, poll) => sum + Math.max(0, Math.min(poll.end, to) - Math.max(poll.start, from)), 0) / (to - from);
}

/**
 * Every governed poll of the recording (the first and a closing one aside), and the budget read three ways: every
 * minute; the minutes whose polls each fit a minute's budget (a poll dearer than that puts any minute holding
 * it over, whatever the spacing); and each poll's own span, max(1 min, its cost / budget), before and after it.
 */
function pauseFigures(recordingPath: string, budget: number, startedAt: number) {
	const polls: Poll[] = loadRecording(recordingPath).events.flatMap(event => (event.type === 'snapshot' && event.snapshot.closing !== true
		? [{start: event.snapshot.time - event.snapshot.governor.lastPollMs, end: event.snapshot.time, ms: event.snapshot.governor.lastPollMs, heapBytes: event.snapshot.heap.usedSize}]
		: [])).slice(1);
	const minuteBudgetMs = budget * 60_000;
	let worstFitting = 0;
	let worstAny = {share: 0, dearestMs: 0, heapBytes: 0, minute: 0};
	for (const from of polls.map(poll => poll.start)) {
		const share = pausedShare(polls, from, from + 60_000);
		const within = polls.filter(poll => poll.end > from && poll.start < from + 60_000);
		const dearest = within.reduce((most, poll) => (poll.ms > most.ms ? poll : most));
		if (dearest.ms <= minuteBudgetMs) {
			worstFitting = Math.max(worstFitting, share);
		}

		if (share > worstAny.share) {
			worstAny = {share, dearestMs: dearest.ms, heapBytes: dearest.heapBytes, minute: (from - startedAt) / 60_000};
		}
	}

	const worstSpan = Math.max(...polls.flatMap(poll => {
		const span = Math.max(60_000, poll.ms / budget);
		return [pausedShare(polls, poll.start, poll.start + span), pausedShare(polls, poll.end - span, poll.end)];
	}));
	const firstDear = polls.find(poll => poll.ms > minuteBudgetMs);
	return {polls: polls.length, worstFitting, worstAny, worstSpan, firstDear: firstDear === undefined ? undefined : {...firstDear, minute: (firstDear.start - startedAt) / 60_000}};
}

export async function benchSoak(quick: boolean): Promise<Row[]> {
	// LEAKTOP_SOAK_MINUTES: longer than the history's full-resolution tier (10 minutes) shows where memory levels off.
	const minutes = quick ? 2 : Number(process.env['LEAKTOP_SOAK_MINUTES'] ?? 10);
	const [metricsPort, downPort] = [await freePort(), await freePort()];
	// Recorded too: each poll's pause and the heap it walked, to read the budget poll by poll afterwards.
	const dir = mkdtempSync(join(tmpdir(), 'leaktop-soak-'));
	const recordingPath = join(dir, 'soak.leaktop');
	const agent = spawn(process.execPath, [bin, '--agent', '--demo', '--max-overhead', String(defaultMaxOverhead), '--metrics', String(metricsPort), '--push', `http://127.0.0.1:${downPort}`, '--record', recordingPath], {stdio: ['ignore', 'ignore', 'pipe']});
	const finished = collect(agent, (minutes + 2) * 60_000);
	const pauses: Array<{minute: number; share: number}> = [];
	const rss: Array<{minute: number; bytes: number}> = [];
	const heap: Array<{minute: number; bytes: number}> = [];
	const startedAt = Date.now();
	let cpuFrom: {time: number; cpu: number} | undefined;
	let cpu = Number.NaN;
	try {
		while (Date.now() - startedAt < minutes * 60_000) {
			await sleep(5000);
			const minute = (Date.now() - startedAt) / 60_000;
			const text = await scrape(metricsPort).catch(() => '');
			// The share of the last minute, once a whole minute has passed since the first poll.
			if (minute > 1.25) {
				pauses.push({minute, share: gauge(text, 'leaktop_poll_pause_ratio')});
			}

			rss.push({minute, bytes: rssBytes(agent.pid!)});
			// leaktop's own heap, from its own --metrics (prom-client's default metrics describe leaktop itself).
			heap.push({minute, bytes: gauge(text, 'nodejs_heap_size_used_bytes')});
			if (minute >= 1 && cpuFrom === undefined) {
				cpuFrom = {time: Date.now(), cpu: cpuSeconds(agent.pid!)};
			}

			if (cpuFrom !== undefined) {
				cpu = (cpuSeconds(agent.pid!) - cpuFrom.cpu) / ((Date.now() - cpuFrom.time) / 1000);
			}
		}
	} finally {
		agent.kill('SIGTERM');
	}

	const run = await finished;
	const budget = defaultMaxOverhead / 100;
	let figures: ReturnType<typeof pauseFigures>;
	try {
		figures = pauseFigures(recordingPath, budget, startedAt);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}

	const measured = pauses.filter(reading => Number.isFinite(reading.share));
	const worstReading = measured.reduce((most, reading) => (reading.share > most.share ? reading : most));
	const worst = worstReading.share;
	// The first minutes fill the history and the push queue: the trend is read after them.
	const settledFrom = Math.min(2, minutes / 2);
	const settled = rss.filter(point => point.minute >= settledFrom);
	const perMinute = slope(settled.map(point => point.minute), settled.map(point => point.bytes));
	const first = settled[0]!.bytes;
	const last = settled.at(-1)!.bytes;
	// The heap's floor each minute (what survives its GCs), from minute settledFrom on: its trend is what is kept.
	const byMinute = new Map<number, number>();
	for (const point of heap.filter(entry => entry.minute >= settledFrom && Number.isFinite(entry.bytes))) {
		const minute = Math.floor(point.minute);
		byMinute.set(minute, Math.min(byMinute.get(minute) ?? Number.POSITIVE_INFINITY, point.bytes));
	}

	const floors = [...byMinute.entries()].map(([minute, bytes]) => ({minute, bytes}));
	const trend = (points: ReadonlyArray<{minute: number; bytes: number}>) => (points.length < 2 ? Number.NaN : slope(points.map(point => point.minute), points.map(point => point.bytes)));
	const heapPerMinute = trend(floors.filter(point => point.minute < 10));
	// After the history's full-resolution tier (its first 10 minutes) has filled: what an agent keeps for hours.
	const afterTier = floors.filter(point => point.minute >= 11);
	const downLines = run.stderr.split('\n').filter(line => /pyroscope|push/i.test(line)).length;
	return [
		{what: `agent on the demo for ${minutes} min at a service's budget (${defaultMaxOverhead}%): worst last-minute pause share, read from --metrics every 5 s`, figure: `${(worst * 100).toFixed(2)}% at minute ${worstReading.minute.toFixed(1)} (mean ${(measured.reduce((sum, reading) => sum + reading.share, 0) / measured.length * 100).toFixed(2)}%, ${measured.length} readings)`, budget: `≤ ${defaultMaxOverhead}%`, met: worst <= budget},
		{what: `the same from the recording, every minute starting at a poll (${figures.polls} polls after the first)`, figure: `${(figures.worstAny.share * 100).toFixed(2)}% at minute ${figures.worstAny.minute.toFixed(1)}: its dearest poll ${Math.round(figures.worstAny.dearestMs)} ms, a full GC of ${(figures.worstAny.heapBytes / 1e6).toFixed(0)} MB`, budget: `≤ ${defaultMaxOverhead}% (a minute's budget is ${Math.round(budget * 60_000)} ms)`, met: figures.worstAny.share <= budget},
		{what: 'the first poll dearer than a minute\'s budget (the demo\'s heap grows ~19 MB/min)', figure: figures.firstDear === undefined ? 'none' : `minute ${figures.firstDear.minute.toFixed(1)}: ${Math.round(figures.firstDear.ms)} ms at ${(figures.firstDear.heapBytes / 1e6).toFixed(0)} MB`, budget: '', met: undefined},
		{what: 'worst minute whose polls each fit a minute\'s budget', figure: `${(figures.worstFitting * 100).toFixed(2)}%`, budget: `≤ ${defaultMaxOverhead}%`, met: figures.worstFitting <= budget},
		{what: 'worst share over a poll\'s own span, max(1 min, its pause ÷ budget), before or after it', figure: `${(figures.worstSpan * 100).toFixed(2)}%`, budget: `≤ ${defaultMaxOverhead}%`, met: figures.worstSpan <= budget * 1.001},
		{what: `agent's own RSS, minute ${settledFrom} → ${minutes}, Pyroscope down throughout (queue full)`, figure: `${(first / 1e6).toFixed(0)} → ${(last / 1e6).toFixed(0)} MB; trend ${(perMinute / 1e6).toFixed(2)} MB/min`, budget: '', met: undefined},
		{what: `agent's own JS heap, each minute's floor, minute ${settledFrom} → ${Math.min(10, minutes)} (the history's full-resolution tier filling)`, figure: `${((floors[0]?.bytes ?? Number.NaN) / 1e6).toFixed(1)} MB; trend ${(heapPerMinute / 1e6).toFixed(2)} MB/min`, budget: '', met: undefined},
		...(afterTier.length >= 3
			? [{what: `agent's own JS heap, each minute's floor, minute 11 → ${minutes} (that tier full)`, figure: `${(afterTier[0]!.bytes / 1e6).toFixed(1)} → ${(afterTier.at(-1)!.bytes / 1e6).toFixed(1)} MB; trend ${(trend(afterTier) / 1e6).toFixed(2)} MB/min`, budget: 'flat: trend ≤ 0.2 MB/min (the coarser tiers still grow, slowly, for two hours)', met: trend(afterTier) <= 0.2e6}]
			: []),
		{what: 'agent\'s own CPU after the first minute', figure: `${(cpu * 100).toFixed(2)}% of a core`, budget: '≤ 2% of a core', met: cpu <= 0.02},
		{what: 'agent\'s log lines about the push while Pyroscope was down', figure: `${downLines} (exit code ${run.code})`, budget: 'a line when it goes away, not one a profile', met: downLines <= 3 && run.code === 0},
	];
}
