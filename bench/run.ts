// npm run bench [-- --quick] [-- --only model|own|overhead|target|verdict|targets|soak]: measures leaktop's cost to the target and to itself, prints
// the figures and writes them, with the machine and date, to bench/results.md.
import {readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import {benchModel} from './model.js';
import {benchOverhead} from './overhead.js';
import {benchOwnCost} from './own-cost.js';
import {benchSoak} from './soak.js';
import {benchTargets} from './targets.js';
import {table, type Row} from './stats.js';
import {benchTarget} from './target.js';
import {benchVerdict} from './verdict.js';

const quick = process.argv.includes('--quick');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const sections: Array<[string, () => Promise<Row[]>]> = [];
if (only === undefined || only === 'model') {
	sections.push(['leaktop itself: aggregation, history, rendering', async () => benchModel(quick)]);
}

if (only === undefined || only === 'own') {
	sections.push(['leaktop\'s own cost on the box it watches: CPU attached to a busy server, and where start-up goes', async () => benchOwnCost(quick)]);
}

if (only === undefined || only === 'overhead') {
	sections.push(['the target\'s cost, to the percent: paired slices with and without each part, and a peer', async () => benchOverhead(quick)]);
}

if (only === undefined || only === 'target') {
	sections.push(['the target: throughput, latency and pauses under leaktop; leaktop attached', async () => benchTarget(quick)]);
}

if (only === undefined || only === 'verdict') {
	sections.push(['time to verdict at default settings, Node 20 and 24 (as judged now; by leaf sites\' survivor age alone; by the window\'s growth alone)', async () => benchVerdict()]);
}

if (only === undefined || only === 'targets') {
	sections.push(['several targets: what one more costs leaktop and the target', async () => benchTargets(quick)]);
}

if (only === undefined || only === 'soak') {
	sections.push(['an agent left attached: the pause budget and its own memory over minutes, Pyroscope down', async () => benchSoak(quick)]);
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
const parts = [`# leaktop benchmark results\n\n${new Date().toISOString().slice(0, 10)} on ${machine}${quick ? ' (--quick: fewer, shorter runs)' : ''}.\nProduced by \`npm run bench\`; medians with min–max over n runs.`];
for (const [title, run] of sections) {
	process.stderr.write(`bench: ${title}…\n`);
	const rows = await run();
	const section = `## ${title}\n\n${table(rows)}`;
	process.stdout.write(`${section}\n\n`);
	parts.push(section);
}

// Only a full run replaces the recorded figures; the reading of them is kept by hand in notes.md.
if (only === undefined && !quick) {
	parts.push(readFileSync(new URL('notes.md', import.meta.url), 'utf8').trim());
	writeFileSync(new URL('results.md', import.meta.url), `${parts.join('\n\n')}\n`);
	process.stderr.write('bench: wrote bench/results.md\n');
} else {
	process.stderr.write('bench: a partial run (--quick or --only): bench/results.md left as it was\n');
}
