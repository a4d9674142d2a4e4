// leaktop's own cost in its pure parts and its views: aggregation, a day-long history, one frame.
import {performance} from 'node:perf_hooks';
import {setImmediate as tick} from 'node:timers/promises';
import {Box, Text} from 'ink';
import {useState} from 'react';
import {App} from '../source/ui/app.js';
import {SitesTable} from '../source/ui/components/sites-table.js';
import {comparePoints} from '../source/model/compare.js';
import {ageBins} from '../source/model/analyses/survivor-age.js';
import {FrameTable} from '../source/model/frame-table.js';
import {aggregateGroupings, maxOrdinalOf, type AgeBins, type Aggregate, type ProfileNode, type SamplingProfile, type Site} from '../source/model/profile.js';
import {bucketOptions, judgeSites, rankSites, sparkValues, windowGrowth} from '../source/model/ranking.js';
import {History} from '../source/model/history.js';
import type {RawSnapshot} from '../source/model/snapshot.js';
import {deriveData} from '../source/ui/derive.js';
import {createStore} from '../source/ui/store.js';
import {loadTrace, rawSnapshots} from '../test/helpers.js';
import {renderAt} from '../test/render-at.js';
import {repeat, formatSpread, spread, type Row, type Spread} from './stats.js';

/** A profile of `nodes` nodes over `nodes / 8` distinct functions, with stacks up to 40 deep. */
export function syntheticProfile(nodes: number): SamplingProfile {
	let id = 0;
	const functions = Math.max(10, nodes >> 3);
	const make = (depth: number): {node: ProfileNode; kids: ProfileNode[]} => {
		const fn = (id * 7919) % functions;
		const kids: ProfileNode[] = [];
		const node: ProfileNode = {
			callFrame: {functionName: `fn${fn}`, scriptId: String(fn % 50), url: `file:///app/module${fn % 50}.js`, lineNumber: fn, columnNumber: 4},
			selfSize: (id % 3) * 131_072,
			id: ++id,
			children: kids,
		};
		return {node, kids: depth < 40 ? kids : []};
	};

	const root = make(0);
	const open = [{...root, depth: 0}];
	const samples = [];
	while (id < nodes && open.length > 0) {
		const parent = open[Math.floor((id * 31) % open.length)]!;
		const child = make(parent.depth + 1);
		parent.kids.push(child.node);
		open.push({...child, depth: parent.depth + 1});
		if (child.node.selfSize > 0) {
			samples.push({size: 64, nodeId: child.node.id, ordinal: id});
		}
	}

	return {head: root.node, samples};
}

/** Age bands for a profile two polls in, with heap readings between them, as the model counts a retained poll. */
function binsFor(profile: SamplingProfile): AgeBins {
	const last = maxOrdinalOf(profile);
	return ageBins({
		polls: [{time: 0, ordinal: 0}, {time: 10_000, ordinal: last / 2}, {time: 20_000, ordinal: last}],
		growth: Array.from({length: 21}, (_, second) => ({time: second * 1000, bytes: second * 1e6})),
	});
}

async function aggregation(rows: Row[], runs: number): Promise<void> {
	const perNode: number[] = [];
	for (const nodes of [1000, 10_000, 100_000]) {
		const json = JSON.stringify(syntheticProfile(nodes));
		const bins = binsFor(JSON.parse(json) as SamplingProfile);
		// What the model does with each retained poll: both groupings, survivors counted by age, frames resolved
		// through the target's table (warm from the polls before: a session's nodes keep their ids). Measured warm.
		const frames = new FrameTable();
		const fold = (profile: SamplingProfile) => aggregateGroupings(profile, bins, frames);
		for (let warm = 0; warm < 3; warm++) {
			fold(JSON.parse(json) as SamplingProfile);
		}

		const parse = await repeat(runs, () => {
			const start = performance.now();
			fold(JSON.parse(json) as SamplingProfile);
			return performance.now() - start;
		});
		const aggregate = await repeat(runs, () => {
			const profile = JSON.parse(json) as SamplingProfile;
			const start = performance.now();
			fold(profile);
			return performance.now() - start;
		});
		// A session's first poll: every frame is new to the table.
		const first = await repeat(runs, () => {
			const profile = JSON.parse(json) as SamplingProfile;
			const start = performance.now();
			aggregateGroupings(profile, bins, new FrameTable());
			return performance.now() - start;
		});
		perNode.push(aggregate.median / nodes);
		const what = `a profile of ${nodes / 1000}k nodes (${Math.round(nodes * 0.66 / 1000)}k samples)`;
		rows.push({what: `parse + aggregate ${what}`, figure: formatSpread(parse, 'ms', 2), budget: '', met: undefined});
		rows.push({
			what: `aggregate ${what}: both groupings, survivors by age, as each poll`,
			figure: formatSpread(aggregate, 'ms', 2),
			budget: nodes === 100_000 ? '≤ 50 ms' : '',
			met: nodes === 100_000 ? aggregate.median <= 50 : undefined,
		});
		rows.push({what: `aggregate ${what} at a session's first poll (no frame known)`, figure: formatSpread(first, 'ms', 2), budget: '', met: undefined});
	}

	const linear = perNode[2]! / perNode[1]!;
	rows.push({what: 'aggregation cost per node, 100k vs 10k', figure: `×${linear.toFixed(2)}`, budget: 'linear (≈ ×1)', met: linear < 1.5});
}

/** Snapshots of `siteCount` sites at 1 Hz from a fixed day, some growing, some flat, some churning. */
function syntheticDay(siteCount: number): (history: History, second: number) => void {
	const start = Date.UTC(2026, 0, 1);
	const sites: Site[] = Array.from({length: siteCount}, (_, index) => ({
		key: `site${index}`, functionName: `site${index}`, url: `file:///app/m${index % 40}.js`, line: index, column: 1, kind: 'user', liveBytes: 0, samples: 1,
	}));
	const aggregate: Aggregate = {sites, totalBytes: 0, totalSamples: siteCount, maxOrdinal: 0, nodeCount: siteCount};
	const gauges = {heapUsed: 0, heapTotal: 0, rss: 0, external: 0, arrayBuffers: 0};
	return (history, second) => {
		let total = 0;
		for (const [index, site] of sites.entries()) {
			const value = index % 10 === 0 ? 1e5 + (second * 10) : index % 3 === 0 ? (second * index) % 5e5 : 2e5;
			(site as {liveBytes: number}).liveBytes = value;
			total += value;
		}

		(aggregate as {totalBytes: number}).totalBytes = total;
		gauges.heapUsed = total * 1.2;
		history.add(start + (second * 1000), aggregate, gauges);
	};
}

async function longSession(rows: Row[], runs: number, seconds: number): Promise<void> {
	const snapshotAt = syntheticDay(2000);
	globalThis.gc?.();
	const before = process.memoryUsage();
	const history = new History();
	const ingest: number[] = [];
	for (let second = 0; second < seconds; second++) {
		const start = performance.now();
		snapshotAt(history, second);
		ingest.push(performance.now() - start);
	}

	globalThis.gc?.();
	const after = process.memoryUsage();
	const held = (after.heapUsed + after.arrayBuffers) - (before.heapUsed + before.arrayBuffers);
	rows.push({what: `history of ${(seconds / 3600).toFixed(1)} h at 1 Hz, 2,000 sites: memory held`, figure: `${(held / 1e6).toFixed(1)} MB (${history.size} points)`, budget: '≤ 150 MB', met: held <= 150e6});
	rows.push({what: 'the whole bench process RSS after that', figure: `${(after.rss / 1e6).toFixed(0)} MB`, budget: '', met: undefined});
	rows.push({what: 'ingest one snapshot of 2,000 sites (median)', figure: `${ingest.sort((a, b) => a - b)[ingest.length >> 1]!.toFixed(3)} ms`, budget: '', met: undefined});
	const aggregate: Aggregate = {
		sites: history.sites.map(({key, functionName, url, line, column, kind}) => ({key, functionName, url, line, column, kind, liveBytes: 1e5, samples: 1})),
		totalBytes: 2e8, totalSamples: 2000, maxOrdinal: 0, nodeCount: 2000,
	};
	let second = seconds;
	for (const [label, ms] of [['5m', 300_000], ['1h', 3_600_000], ['all', Number.POSITIVE_INFINITY]] as const) {
		// What the UI does on each new snapshot: the window, then its growth (folding the snapshot into the
		// envelope cache), then the table; the first query of a window fills the cache and is measured apart.
		const windowAt = () => history.points(history.latest!.time - ms);
		const first = performance.now();
		windowGrowth(history, windowAt(), 131_072);
		const firstMs = performance.now() - first;
		for (let warm = 0; warm < 5; warm++) {
			snapshotAt(history, second++);
			windowGrowth(history, windowAt(), 131_072);
		}

		const query = await repeat(runs * 4, () => {
			snapshotAt(history, second++);
			const start = performance.now();
			windowGrowth(history, windowAt(), 131_072);
			return performance.now() - start;
		});
		// The model judges once per profile (model/judged.ts), over the whole history since a break; the table is
		// ranked again at every key press, with that judgement and the window's growth cached.
		const judging = label !== 'all' ? undefined : await repeat(runs, () => {
			snapshotAt(history, second++);
			const start = performance.now();
			judgeSites(history, aggregate, 131_072, true);
			return performance.now() - start;
		});
		const points = windowAt();
		const judgements = judgeSites(history, aggregate, 131_072, true);
		const table = await repeat(runs, () => {
			const start = performance.now();
			const ranked = rankSites(history, aggregate, points, 'leak', 131_072, judgements);
			for (const row of ranked.slice(0, 50)) {
				sparkValues(points, row.id, 40);
			}

			return performance.now() - start;
		});
		rows.push({what: `window ${label} (${points.length} points): first growth query of the window`, figure: `${firstMs.toFixed(2)} ms`, budget: '', met: undefined});
		rows.push({what: `window ${label}: window + growth of 2,000 sites after a new snapshot`, figure: formatSpread(query, 'ms', 2), budget: '≤ 10 ms', met: query.median <= 10});
		const comparison = await repeat(runs * 4, () => {
			snapshotAt(history, second++);
			const window = windowAt();
			const start = performance.now();
			comparePoints(window, history.sites, 99, 'delta', bucketOptions(history, window));
			return performance.now() - start;
		});
		rows.push({what: `window ${label}: rank the table + 50 sparklines (a key press; the judgement cached)`, figure: formatSpread(table, 'ms', 2), budget: '≤ 10 ms', met: table.median <= 10});
		if (judging !== undefined) {
			rows.push({what: 'judge 2,000 sites after a new snapshot (growth over the whole history since a break; once per profile)', figure: formatSpread(judging, 'ms', 2), budget: '≤ 10 ms', met: judging.median <= 10});
		}
		rows.push({what: `window ${label}: percentile comparison of 2,000 sites after a new snapshot`, figure: formatSpread(comparison, 'ms', 2), budget: '≤ 10 ms', met: comparison.median <= 10});
	}
}

/** The trace's snapshots with every profile replaced by one holding `sites` allocation sites, so the table fills the screen. */
function fullTable(snapshots: readonly RawSnapshot[], sites: number): RawSnapshot[] {
	return snapshots.map((snapshot, index) => {
		const children: ProfileNode[] = Array.from({length: sites}, (_, site) => ({
			callFrame: {functionName: `handler${site}`, scriptId: '1', url: `file:///app/routes/module${site % 9}.js`, lineNumber: site, columnNumber: 2},
			selfSize: (site + 1) * 65_536 * (site % 4 === 0 ? index + 1 : 1),
			id: site + 2,
			children: [],
		}));
		const head: ProfileNode = {callFrame: {functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1}, selfSize: 0, id: 1, children};
		return {...snapshot, profile: {head, samples: children.map(child => ({size: child.selfSize, nodeId: child.id, ordinal: child.id}))}};
	});
}

async function frameTimes(snapshots: readonly RawSnapshot[], runs: number): Promise<{key: Spread; snapshot: Spread; derive: Spread; lines: Spread}> {
	const store = createStore();
	store.apply({type: 'attached', targetId: 't', time: snapshots[0]!.time, info: {id: 't', title: '/app/server.js', url: 'file:///app/server.js', pid: 1, logPath: undefined, otherTargets: 0}, samplingInterval: snapshots[0]!.samplingInterval});
	for (const snapshot of snapshots) {
		store.apply({type: 'snapshot', targetId: 't', time: snapshot.time, snapshot});
	}

	const view = renderAt(<App store={store} cwd="/app" color onQuit={() => undefined} />, 200, 50);
	while (!view.lastFrame()?.includes('FUNCTION')) {
		await tick();
	}

	let direction = 1;
	let time = snapshots.at(-1)!.time;
	const frameAfter = async (change: () => void) => {
		const previous = view.lastFrame();
		const start = performance.now();
		change();
		while (view.lastFrame() === previous) {
			await tick();
		}

		return performance.now() - start;
	};

	// What a selection-only key no longer does: derive the table, chart and comparison again.
	const {state} = store.getSnapshot();
	const derive = await repeat(runs * 4, () => {
		const start = performance.now();
		deriveData(state.targets[0]!, state.view, state.originals);
		return performance.now() - start;
	});
	// What memoised rows could save a key press at most: computing every visible row's line.
	const {rows, points} = store.getSnapshot().data!;
	const lines = await repeat(runs * 4, () => {
		const start = performance.now();
		SitesTable({rows, points, selected: 0, width: 200, height: 40, cwd: '/app', color: true});
		return performance.now() - start;
	});
	const key = await repeat(runs * 4, async () => frameAfter(() => {
		store.dispatch({type: 'move', by: direction});
		direction = -direction;
	}));
	const snapshot = await repeat(runs * 4, async () => frameAfter(() => {
		time += 1000;
		store.apply({type: 'snapshot', targetId: 't', time, snapshot: {...snapshots.at(-1)!, time}});
	}));
	view.unmount();
	return {key, snapshot, derive, lines};
}

type TerminalCost = {readonly ms: Spread; readonly bytes: Spread};

/**
 * Key presses drawn as to a real terminal (an SSH session pays for every byte), with ink's incremental
 * rendering and without, interleaved press by press so the machine's drift falls on both alike.
 */
async function terminalKeys(snapshots: readonly RawSnapshot[], runs: number): Promise<{full: TerminalCost; incremental: TerminalCost}> {
	const views = [false, true].map(incremental => {
		const store = createStore();
		store.apply({type: 'attached', targetId: 't', time: snapshots[0]!.time, info: {id: 't', title: '/app/server.js', url: 'file:///app/server.js', pid: 1, logPath: undefined, otherTargets: 0}, samplingInterval: snapshots[0]!.samplingInterval});
		for (const snapshot of snapshots) {
			store.apply({type: 'snapshot', targetId: 't', time: snapshot.time, snapshot});
		}

		return {store, view: renderAt(<App store={store} cwd="/app" color onQuit={() => undefined} />, 200, 50, {incremental}), ms: [] as number[], bytes: [] as number[]};
	});
	for (const {view} of views) {
		while (view.written().bytes < 5000) {
			await tick();
		}
	}

	let direction = 1;
	for (let press = 0; press < runs * 8; press++) {
		for (const entry of press % 2 === 0 ? views : [...views].reverse()) {
			const before = entry.view.written();
			const start = performance.now();
			entry.store.dispatch({type: 'move', by: direction});
			while (entry.view.written().writes === before.writes) {
				await tick();
			}

			entry.ms.push(performance.now() - start);
			entry.bytes.push(entry.view.written().bytes - before.bytes);
		}

		direction = -direction;
	}

	for (const {view} of views) {
		view.unmount();
	}

	const [full, incremental] = views.map(({ms, bytes}) => ({ms: spread(ms), bytes: spread(bytes)}));
	return {full: full!, incremental: incremental!};
}

/** A screen of plain text drawn by ink alone, every line new each frame: the most any frame at that size costs before leaktop draws anything. */
async function inkFloor(runs: number): Promise<Spread> {
	let redraw: (count: number) => void = () => undefined;
	function Screen() {
		const [count, setCount] = useState(0);
		redraw = setCount;
		return <Box flexDirection="column">{Array.from({length: 50}, (_, line) => <Text key={line}>{`${line} ${count} `.padEnd(200, 'x')}</Text>)}</Box>;
	}

	const view = renderAt(<Screen />, 200, 50);
	await tick();
	let count = 0;
	const times = await repeat(runs * 4, async () => {
		const previous = view.lastFrame();
		const start = performance.now();
		redraw(++count);
		while (view.lastFrame() === previous) {
			await tick();
		}

		return performance.now() - start;
	});
	view.unmount();
	return times;
}

export async function benchFrames(runs: number): Promise<Row[]> {
	const rows: Row[] = [];
	const trace = rawSnapshots(loadTrace('trace-memo'));
	const few = await frameTimes(trace, runs);
	const many = await frameTimes(fullTable(trace, 200), runs);
	const floor = await inkFloor(runs);
	rows.push({what: 'a key press: one full frame at 200×50, a table of 7 sites', figure: formatSpread(few.key, 'ms', 2), budget: '≤ 16 ms', met: few.key.median <= 16});
	rows.push({what: 'a key press: one full frame at 200×50, a full table (200 sites)', figure: formatSpread(many.key, 'ms', 2), budget: '≤ 16 ms', met: many.key.median <= 16});
	rows.push({what: 'of a key press, full table: deriving the data again (rank, comparison, chart; cached buckets make it cheap, so it is not skipped)', figure: formatSpread(many.derive, 'ms', 2), budget: '', met: undefined});
	rows.push({what: 'of a key press, full table: computing the 39 visible rows\' lines (the most memoised rows could save)', figure: formatSpread(many.lines, 'ms', 2), budget: '', met: undefined});
	rows.push({what: 'ink alone redrawing 50 lines of 200 plain characters, every line changed (no leaktop code; nothing its line caches can keep)', figure: formatSpread(floor, 'ms', 2), budget: '', met: undefined});
	rows.push({what: 'a new snapshot: aggregate, derive, rank and draw a frame at 200×50, full table', figure: formatSpread(many.snapshot, 'ms', 2), budget: '', met: undefined});
	const terminal = await terminalKeys(fullTable(trace, 200), runs);
	for (const [name, cost] of [['redrawn whole (ink\'s default)', terminal.full], ['ink\'s incremental rendering (changed lines only; not used: in tmux it left stale and doubled lines)', terminal.incremental]] as const) {
		rows.push({what: `a key press drawn to a terminal at 200×50, full table, ${name}: time, bytes written`, figure: `${formatSpread(cost.ms, 'ms', 2)}; ${formatSpread(cost.bytes, 'B', 0)}`, budget: '', met: undefined});
	}

	return rows;
}

export async function benchModel(quick: boolean): Promise<Row[]> {
	const rows: Row[] = [];
	const runs = quick ? 3 : 7;
	await aggregation(rows, runs);
	rows.push(...await benchFrames(runs));
	await longSession(rows, runs, quick ? 6 * 3600 : 24 * 3600);
	return rows;
}
