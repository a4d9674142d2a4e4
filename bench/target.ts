// What leaktop costs a real HTTP server (latency and pauses at three heap sizes, start-up) and what it costs
// itself while attached. Throughput is measured to the percent by bench/overhead.ts, in paired slices.
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {get} from 'node:http';
import {performance} from 'node:perf_hooks';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import autocannon from 'autocannon';
import {defaultMaxOverhead} from '../source/cli/options.js';
import {decodeRecording} from '../source/sinks/recording-format.js';
import type {Report} from '../source/sinks/report.js';
import {bin, collect} from '../test/run-leaktop.js';
import {Terminal} from '../test/tmux.js';
import {formatSpread, spread, type Row} from './stats.js';

const serverPath = fileURLToPath(new URL('alloc-server.cjs', import.meta.url));

export type Server = {child: ChildProcess; port: number; inspectPort: number};

export async function startServer(heapMb: number): Promise<Server> {
	const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '--max-old-space-size=6144', serverPath], {
		env: {...process.env, HEAP_MB: String(heapMb)}, stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	let err = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		err += chunk.toString();
	});
	const port = await new Promise<number>((resolve, reject) => {
		child.stdout!.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const match = /listening (\d+)/.exec(out);
			if (match !== null) {
				resolve(Number(match[1]));
			}
		});
		child.on('exit', () => reject(new Error(`the bench server exited: ${err}`)));
	});
	const inspectPort = Number(/ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err)![1]);
	return {child, port, inspectPort};
}

type ServerStats = {gcMs: number; wallMs: number; maxDelayMs: number; p99DelayMs: number; heapUsed: number};

async function stats(server: Server): Promise<ServerStats> {
	return new Promise((resolve, reject) => {
		get({host: '127.0.0.1', port: server.port, path: '/stats'}, response => {
			let body = '';
			response.on('data', (chunk: Buffer) => {
				body += chunk.toString();
			});
			response.on('end', () => resolve(JSON.parse(body) as ServerStats));
		}).on('error', reject);
	});
}

type Load = {rps: number; p99: number; stats: ServerStats};

async function load(server: Server, seconds: number, rate?: number): Promise<Load> {
	await stats(server);
	const result = await autocannon({
		url: `http://127.0.0.1:${server.port}/page`, connections: 16, duration: seconds, ...(rate === undefined ? {} : {overallRate: rate}),
	});
	return {rps: result.requests.average, p99: result.latency.p99, stats: await stats(server)};
}

type Attached = {child: ChildProcess; report: Promise<Report | undefined>};

/** Attaches a real leaktop (report mode) and waits until its first poll has been paid. */
async function attach(server: Server, flags: readonly string[], settleMs: number): Promise<Attached> {
	const child = spawn(process.execPath, [bin, '--report', '--duration', '3600', '--inspect', String(server.inspectPort), ...flags], {stdio: ['ignore', 'pipe', 'pipe']});
	const report = collect(child, 3_600_000).then(run => (run.stdout === '' ? undefined : JSON.parse(run.stdout) as Report));
	await sleep(settleMs);
	return {child, report};
}

async function detach(attached: Attached): Promise<Report | undefined> {
	attached.child.kill('SIGINT');
	return attached.report;
}

async function latency(rows: Row[], quick: boolean, heapMb: number): Promise<void> {
	const server = await startServer(heapMb);
	const seconds = quick ? 8 : 15;
	// A p99 of a few ms over 15 s moves by a whole ms with one stray GC: take several pairs.
	const reps = quick ? 1 : 3;
	try {
		const saturated = await load(server, 3);
		const rate = Math.round(saturated.rps / 2);
		const base: Load[] = [];
		const early: Load[] = [];
		const under: Load[] = [];
		const reports: Report[] = [];
		for (let rep = 0; rep < reps; rep++) {
			process.stderr.write(`bench: latency at ${heapMb} MB, ${rep + 1}/${reps}\n`);
			base.push(await load(server, seconds, rate));
			// The first poll of an attach pays for the whole heap at once: the first seconds are shown apart; the
			// budget is for the steady state after them.
			const attached = await attach(server, [], 1500 + (heapMb * 3));
			early.push(await load(server, seconds, rate));
			under.push(await load(server, seconds, rate));
			const report = await detach(attached);
			if (report !== undefined) {
				reports.push(report);
			}
		}

		const p99 = (loads: Load[]) => spread(loads.map(entry => entry.p99));
		const loopMax = (loads: Load[]) => spread(loads.map(entry => entry.stats.maxDelayMs));
		const gcShare = (loads: Load[]) => spread(loads.map(entry => entry.stats.gcMs / entry.stats.wallMs * 100));
		const heap = `${(saturated.stats.heapUsed / 1e6).toFixed(0)} MB heap, ${rate} req/s`;
		const ratio = p99(under).median / Math.max(1, p99(base).median);
		rows.push({what: `p99 latency, ${heap}: unattached`, figure: formatSpread(p99(base), 'ms', 0), budget: '', met: undefined});
		rows.push({what: `p99 latency, ${heap}: attached at defaults, the ${seconds} s after the first ${seconds} s`, figure: `${formatSpread(p99(under), 'ms', 0)} = ${(ratio * 100).toFixed(0)}%`, budget: '≤ 110% of unattached', met: ratio <= 1.1});
		rows.push({what: `p99 latency, ${heap}: attached, its first ${seconds} s (the first poll)`, figure: `${formatSpread(p99(early), 'ms', 0)} = ${(p99(early).median / Math.max(1, p99(base).median) * 100).toFixed(0)}%`, budget: '', met: undefined});
		rows.push({what: `max event-loop delay, ${heap}: unattached → attached`, figure: `${formatSpread(loopMax(base), 'ms', 0)} → ${formatSpread(loopMax(under), 'ms', 0)}`, budget: '', met: undefined});
		const added = gcShare(under).median - gcShare(base).median;
		rows.push({what: `GC time share in the target, ${heap}: unattached → attached`, figure: `${formatSpread(gcShare(base), '%', 2)} → ${formatSpread(gcShare(under), '%', 2)}`, budget: '', met: undefined});
		const paused = spread(reports.map(report => report.polling.pausedShare * 100));
		const steady = spread(reports.map(report => report.polling.steadyPausedShare * 100));
		const firstPoll = spread(reports.map(report => report.polling.firstPollMs));
		rows.push({
			what: `share of wall time leaktop held the target after its first poll, ${heap}`,
			figure: `${formatSpread(steady, '%', 2)}; ${reports[0]?.polling.polls ?? '?'} polls, mean ${reports[0]?.polling.meanPollMs ?? '?'} ms; GC added ${added.toFixed(2)} points`,
			budget: '≤ 2%',
			met: steady.median <= 2,
		});
		rows.push({
			what: `the first poll (once, at attach), ${heap}: its pause, and the share with it over the ${((reports[0]?.durationMs ?? 0) / 1000).toFixed(0)} s attached`,
			figure: `${formatSpread(firstPoll, 'ms', 0)}; ${formatSpread(paused, '%', 2)}`,
			budget: '',
			met: undefined,
		});
	} finally {
		server.child.kill();
	}
}

export function cpuSeconds(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	// utime and stime, fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function rssBytes(pid: number): number {
	return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

async function ownCost(rows: Row[], quick: boolean): Promise<void> {
	process.stderr.write('bench: leaktop\'s own cost\n');
	const seconds = quick ? 20 : 60;
	const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-'));
	const recording = join(dir, 'demo.ltrec');
	const child = spawn(process.execPath, [bin, '--report', '--duration', String(seconds + 10), '--record', recording, '--max-overhead', String(defaultMaxOverhead), '--demo'], {stdio: ['ignore', 'ignore', 'ignore']});
	try {
		await sleep(5000);
		const startCpu = cpuSeconds(child.pid!);
		const start = performance.now();
		await sleep(seconds * 1000);
		const cpu = cpuSeconds(child.pid!) - startCpu;
		const share = cpu / ((performance.now() - start) / 1000);
		rows.push({what: 'leaktop attached to the demo at a service\'s defaults (0.5%): CPU', figure: `${(share * 60).toFixed(2)} CPU s/min = ${(share * 100).toFixed(2)}% of a core`, budget: '≤ 2% of a core', met: share <= 0.02});
		rows.push({what: 'leaktop attached to the demo at a service\'s defaults (0.5%): RSS', figure: `${(rssBytes(child.pid!) / 1e6).toFixed(0)} MB`, budget: '', met: undefined});
	} finally {
		child.kill('SIGINT');
	}

	await new Promise(resolve => {
		child.once('exit', resolve);
	});
	const snapshots = decodeRecording(readFileSync(recording)).events.filter(event => event.type === 'snapshot').length;
	const perSnapshot = statSync(recording).size / Math.max(1, snapshots);
	rmSync(dir, {recursive: true, force: true});
	rows.push({
		what: `recording the demo (--record): bytes per snapshot over ${snapshots} snapshots`,
		figure: `${(perSnapshot / 1024).toFixed(1)} KiB; one hour at 1 Hz ≈ ${((perSnapshot * 3600) / 1e6).toFixed(0)} MB`,
		budget: '',
		met: undefined,
	});
}

async function startUp(rows: Row[], quick: boolean): Promise<void> {
	process.stderr.write('bench: start-up\n');
	const server = await startServer(20);
	const times: number[] = [];
	// An idle target allocates nothing new for the sampler to see: keep it lightly busy, as a service would be.
	const background = autocannon({url: `http://127.0.0.1:${server.port}/page`, connections: 2, overallRate: 200, duration: 120}, () => undefined);
	try {
		for (let rep = 0; rep < (quick ? 2 : 5); rep++) {
			const start = performance.now();
			const terminal = new Terminal([process.execPath, bin, '--inspect', String(server.inspectPort)], {columns: 120, rows: 40});
			try {
				await terminal.waitFor(/^› +1 /m, 15_000);
				times.push(performance.now() - start);
				terminal.press('q');
				await terminal.waitForExit();
			} finally {
				terminal.close();
			}
		}
	} finally {
		background.stop();
		server.child.kill();
	}

	const figures = spread(times);
	rows.push({what: 'start-up: launch to the first populated table (tmux, running target)', figure: formatSpread(figures, 'ms', 0), budget: '≤ 1,500 ms', met: figures.median <= 1500});
}

export async function benchTarget(quick: boolean): Promise<Row[]> {
	const rows: Row[] = [];
	await startUp(rows, quick);
	for (const heapMb of quick ? [50, 500] : [50, 500, 2000]) {
		await latency(rows, quick, heapMb);
	}

	await ownCost(rows, quick);
	return rows;
}
