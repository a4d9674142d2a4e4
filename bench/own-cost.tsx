// leaktop's own cost on the box it watches: its CPU attached to a busy server, and where its start-up goes.
import {execFileSync, spawn} from 'node:child_process';
import {performance} from 'node:perf_hooks';
import {setImmediate as tick, setTimeout as sleep} from 'node:timers/promises';
import autocannon from 'autocannon';
import {defaultMaxOverhead} from '../source/cli/options.js';
import {judgementOf} from '../source/model/judged.js';
import {aggregateGroupings, type SamplingProfile} from '../source/model/profile.js';
import {createModel} from '../source/model/target.js';
import {App} from '../source/ui/app.js';
import {createStore} from '../source/ui/store.js';
import {bin} from '../test/run-leaktop.js';
import {loadTrace, rawSnapshots, sessionEvents} from '../test/helpers.js';
import {renderAt} from '../test/render-at.js';
import {formatSpread, repeat, type Row} from './stats.js';
import {cpuSeconds, startServer} from './target.js';

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** The CPU a fresh Node spends loading what a mode loads, less what an empty Node spends starting. */
function loading(modules: readonly string[]): number {
	const script = `const t = process.cpuUsage(); for (const m of ${JSON.stringify(modules)}) await import(m); const u = process.cpuUsage(t); console.log((u.user + u.system) / 1000);`;
	const run = () => Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'}).trim());
	const runs = Array.from({length: 5}, run).sort((a, b) => a - b);
	return runs[2]!;
}

/** The start-up's parts, each measured apart on the first profile of the demo server as a poll brings it. */
async function startUpSplit(rows: Row[]): Promise<void> {
	const dist = (path: string) => new URL(`../dist/${path}`, import.meta.url).href;
	const report = loading([dist('cli/report.js')]);
	const live = loading([dist('cli/live.js'), dist('cli/show.js'), 'ink', 'react', dist('ui/app.js')]);
	const trace = loadTrace('demo-profile');
	const text = JSON.stringify(trace.snapshots[0]!.profile);
	const decode = await repeat(7, () => {
		const start = process.cpuUsage();
		JSON.parse(text);
		return cpuMs(process.cpuUsage(start));
	});
	const aggregate = await repeat(7, () => {
		const profile = JSON.parse(text) as SamplingProfile;
		const start = process.cpuUsage();
		aggregateGroupings(profile);
		return cpuMs(process.cpuUsage(start));
	});
	const snapshots = rawSnapshots(trace);
	const events = sessionEvents({id: 't', title: '/app/server.js', url: 'file:///app/server.js', pid: 1, logPath: undefined, otherTargets: 0}, snapshots);
	const judge = await repeat(7, () => {
		const model = createModel();
		for (const event of events) {
			model.apply(event);
		}

		const start = process.cpuUsage();
		judgementOf(model.targets[0]!);
		return cpuMs(process.cpuUsage(start));
	});
	const draw = await repeat(7, async () => {
		const store = createStore();
		store.applyAll(events);
		const start = process.cpuUsage();
		const view = renderAt(<App store={store} cwd="/app" color onQuit={() => undefined} />, 120, 40);
		while (!view.lastFrame()?.includes('FUNCTION')) {
			await tick();
		}

		const used = cpuMs(process.cpuUsage(start));
		view.unmount();
		return used;
	});
	rows.push(
		{what: 'start-up, module loading: --report (CLI, CDP client, model, sinks), beyond an empty Node', figure: `${report.toFixed(0)} ms CPU`, budget: '', met: undefined},
		{what: 'start-up, module loading: the live view (the above, ink, React, the views)', figure: `${live.toFixed(0)} ms CPU`, budget: '', met: undefined},
		{what: 'start-up, decode the first profile (the demo\'s, JSON as CDP sends it)', figure: formatSpread(decode, 'ms CPU', 1), budget: '', met: undefined},
		{what: 'start-up, aggregate it (both groupings)', figure: formatSpread(aggregate, 'ms CPU', 1), budget: '', met: undefined},
		{what: 'start-up, judge it (survivor age on the call tree, one judgement)', figure: formatSpread(judge, 'ms CPU', 2), budget: '', met: undefined},
		{what: 'start-up, draw the first frame at 120×40', figure: formatSpread(draw, 'ms CPU', 1), budget: '', met: undefined},
	);
}

/** The CPU of a process while it runs, read from /proc until it is gone: the last reading is its whole. */
async function wholeCpu(pid: number, exited: Promise<unknown>): Promise<number> {
	let last = 0;
	let done = false;
	void exited.then(() => {
		done = true;
	});
	while (!done) {
		try {
			last = cpuSeconds(pid);
		} catch {
			break;
		}

		await sleep(20);
	}

	return last;
}

/** leaktop --report on a busy server: its CPU over the whole run (a CI gate's, a script's), and in the steady state. */
async function busyServer(rows: Row[], quick: boolean): Promise<void> {
	const server = await startServer(20);
	const load = autocannon({url: `http://127.0.0.1:${server.port}/page`, connections: 8, duration: quick ? 60 : 150}, () => undefined);
	try {
		for (const seconds of quick ? [12] : [12, 40]) {
			const child = spawn(process.execPath, [bin, '--report', '--duration', String(seconds), '--max-overhead', String(defaultMaxOverhead), '--inspect', String(server.inspectPort)], {stdio: 'ignore'});
			const exited = new Promise(resolve => {
				child.once('exit', resolve);
			});
			const start = performance.now();
			const cpu = await wholeCpu(child.pid!, exited);
			const wall = (performance.now() - start) / 1000;
			rows.push({what: `leaktop --report --duration ${seconds} on a busy server (8 connections): CPU over the whole run, start-up included`, figure: `${cpu.toFixed(2)} s CPU over ${wall.toFixed(1)} s = ${(100 * cpu / wall).toFixed(1)}% of a core`, budget: '', met: undefined});
		}

		const steady = quick ? 30 : 60;
		const child = spawn(process.execPath, [bin, '--report', '--duration', String(steady + 20), '--max-overhead', String(defaultMaxOverhead), '--inspect', String(server.inspectPort)], {stdio: 'ignore'});
		const exited = new Promise(resolve => {
			child.once('exit', resolve);
		});
		await sleep(15_000);
		const before = cpuSeconds(child.pid!);
		const start = performance.now();
		await sleep(steady * 1000);
		const share = (cpuSeconds(child.pid!) - before) / ((performance.now() - start) / 1000);
		rows.push({what: `leaktop attached to a busy server (8 connections), steady state over ${steady} s: CPU`, figure: `${(share * 100).toFixed(2)}% of a core`, budget: '≤ 1% of a core', met: share <= 0.01});
		await exited;
	} finally {
		load.stop();
		server.child.kill();
	}
}

export async function benchOwnCost(quick: boolean): Promise<Row[]> {
	const rows: Row[] = [];
	await startUpSplit(rows);
	await busyServer(rows, quick);
	return rows;
}
