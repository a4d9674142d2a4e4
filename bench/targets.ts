// What one more target (a worker thread) costs leaktop (CPU, memory) and the target (its process's pause
// share), from an agent on a pool of 0 and of 3 workers, alternated so the machine's drift hits both alike.
import {spawn} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {bin, freePort} from '../test/run-leaktop.js';
import {spread, type Row} from './stats.js';
import {scrape} from './soak.js';
import {cpuSeconds, rssBytes} from './target.js';

const pool = fileURLToPath(new URL('worker-pool.cjs', import.meta.url));

function values(text: string, name: string): number[] {
	return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map(match => Number(match[1]));
}

type Run = {cpu: number; rss: number; heap: number; pause: number; targets: number};

async function measure(workers: number, seconds: number): Promise<Run> {
	const port = await freePort();
	const agent = spawn(process.execPath, [bin, '--agent', '--metrics', String(port), '--', process.execPath, pool], {env: {...process.env, WORKERS: String(workers)}, stdio: ['ignore', 'ignore', 'ignore']});
	try {
		// Attached, its workers found, and a first minute's start-up (the first poll of each) behind it.
		await sleep(20_000);
		const from = {cpu: cpuSeconds(agent.pid!), at: Date.now()};
		const heaps: number[] = [];
		let text = '';
		while (Date.now() - from.at < seconds * 1000) {
			await sleep(5000);
			text = await scrape(port);
			heaps.push(...values(text, 'nodejs_heap_size_used_bytes'));
		}

		return {
			cpu: (cpuSeconds(agent.pid!) - from.cpu) / ((Date.now() - from.at) / 1000),
			rss: rssBytes(agent.pid!),
			heap: Math.min(...heaps),
			// The process's pause: its isolates' shares of the last minute, summed.
			pause: values(text, 'leaktop_poll_pause_ratio').reduce((sum, value) => sum + value, 0),
			targets: values(text, 'leaktop_target_up').length,
		};
	} finally {
		agent.kill('SIGTERM');
		if (agent.exitCode === null && agent.signalCode === null) {
			await new Promise(resolve => {
				agent.once('exit', resolve);
			});
		}
	}
}

export async function benchTargets(quick: boolean): Promise<Row[]> {
	const seconds = quick ? 30 : 60;
	const extra = 3;
	const runs: Array<{base: Run; more: Run}> = [];
	for (let rep = 0; rep < (quick ? 1 : 2); rep++) {
		runs.push({base: await measure(0, seconds), more: await measure(extra, seconds)});
	}

	const per = (field: keyof Run) => spread(runs.map(({base, more}) => (more[field] - base[field]) / extra));
	const mean = (field: keyof Run, side: 'base' | 'more') => runs.reduce((sum, run) => sum + run[side][field], 0) / runs.length;
	const cpu = per('cpu');
	const rss = per('rss');
	const heap = per('heap');
	return [
		{what: `targets seen: a pool of 0 and of ${extra} workers`, figure: `${mean('targets', 'base')} and ${mean('targets', 'more')}`, budget: `1 and ${extra + 1}`, met: mean('targets', 'base') === 1 && mean('targets', 'more') === extra + 1},
		{what: 'one more target (a worker with a 20 MB heap): leaktop\'s CPU', figure: `+${(cpu.median * 100).toFixed(2)}% of a core (${(mean('cpu', 'base') * 100).toFixed(2)}% → ${(mean('cpu', 'more') * 100).toFixed(2)}%, n=${runs.length})`, budget: '', met: undefined},
		{what: 'one more target: leaktop\'s RSS', figure: `+${(rss.median / 1e6).toFixed(1)} MB (${(mean('rss', 'base') / 1e6).toFixed(0)} → ${(mean('rss', 'more') / 1e6).toFixed(0)} MB)`, budget: '', met: undefined},
		{what: 'one more target: leaktop\'s JS heap (floor)', figure: `+${(heap.median / 1e6).toFixed(1)} MB (${(mean('heap', 'base') / 1e6).toFixed(1)} → ${(mean('heap', 'more') / 1e6).toFixed(1)} MB)`, budget: '', met: undefined},
		{what: 'the target process\'s pause share, its isolates summed (last minute)', figure: `${(mean('pause', 'base') * 100).toFixed(2)}% alone, ${(mean('pause', 'more') * 100).toFixed(2)}% with ${extra} workers`, budget: '≤ 0.5%: the budget is shared', met: mean('pause', 'more') <= 0.005 && mean('pause', 'base') <= 0.005},
	];
}
