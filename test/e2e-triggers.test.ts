import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, it} from 'node:test';
import type {ProfileNode} from '../source/model/profile.js';
import {tempDir} from './helpers.js';
import {bin, collect, freePort, runLeaktop, target, watchStderr} from './run-leaktop.js';

const exports = ['compare-all.pb.gz', 'compare-top.pb.gz', 'profile.heapprofile', 'profile.pb.gz'];

/** The sampled bytes a DevTools heap profile holds: what the profile saw live when it was taken. */
function sampledBytes(path: string): number {
	const sum = (node: ProfileNode): number => node.selfSize + node.children.reduce((total, child) => total + sum(child), 0);
	return sum((JSON.parse(readFileSync(path, 'utf8')) as {head: ProfileNode}).head);
}

/** The target's heap as leaktop's own --metrics give it. */
async function heapUsed(port: number): Promise<number> {
	const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(async response => response.text(), () => '');
	return Number(/^leaktop_heap_used_bytes\{[^}]*\} (\S+)$/m.exec(text)?.[1] ?? 0);
}

function folders(dir: string, trigger: string): string[] {
	return readdirSync(dir).filter(name => name.startsWith(`leaktop-${trigger}-`));
}

describe('triggers', () => {
	it('--report: --on-heap at a share of the heap limit and --on-suspect each write the exports and a heap snapshot once, and say where', async () => {
		const dir = tempDir('leaktop-triggers-');
		// 512 MB of old space (a limit of ~560 MB on Node 20, ~740 MB with the young generation on 24): 5% is reached a few seconds into a leak of ~16 MB/s, and the end is far off.
		const run = await runLeaktop(['--report', '--duration', '10', '--on-heap', '5%', '--on-suspect', '--trigger-snapshot', '--export', dir,
			'--', process.execPath, '--max-old-space-size=512', target('fast-leak')], 180_000);
		assert.equal(run.code, 0, run.stderr);
		const report = JSON.parse(run.stdout) as {triggered: Array<{name: string; reason: string; time: number; files: string[]}>};
		assert.deepEqual(report.triggered.map(fired => fired.name).sort(), ['on-heap', 'on-suspect'], run.stderr);
		for (const name of ['on-heap', 'on-suspect']) {
			const [folder, ...more] = folders(dir, name);
			assert.ok(folder !== undefined && more.length === 0, `one folder for ${name}: ${readdirSync(dir).join(', ')}`);
			assert.deepEqual(readdirSync(join(dir, folder)).sort(), [...exports, 'heap.heapsnapshot'].sort());
			assert.match(readFileSync(join(dir, folder, 'heap.heapsnapshot'), 'utf8').slice(0, 40), /^\{"snapshot":\{/);
			const fired = report.triggered.find(entry => entry.name === name)!;
			assert.deepEqual(fired.files.map(file => file.slice(join(dir, folder).length + 1)).sort(), [...exports, 'heap.heapsnapshot'].sort());
			assert.match(run.stderr, new RegExp(`leaktop: ${name}: .*; wrote .*${folder}: `));
			assert.match(run.stderr, new RegExp(`leaktop: ${name}: heap snapshot written: .*${folder}/heap\\.heapsnapshot \\(`));
		}

		const heap = report.triggered.find(entry => entry.name === 'on-heap')!;
		const [, used, percent, limit] = /^heap ([\d.]+) MB, ([\d.]+)% of its ([\d.]+) MB limit$/.exec(heap.reason) ?? [];
		assert.ok(Number(percent) >= 5 && Number(limit) > 500 && Number(limit) < 800, heap.reason);
		// The profile was taken when the heap crossed, not at the governor's last poll seconds before.
		const [onHeap] = folders(dir, 'on-heap');
		assert.ok(sampledBytes(join(dir, onHeap!, 'profile.heapprofile')) > 0.5 * Number(used) * 1e6, `${heap.reason}: the profile holds ${sampledBytes(join(dir, onHeap!, 'profile.heapprofile'))} B`);
		assert.match(report.triggered.find(entry => entry.name === 'on-suspect')!.reason, /^leaking: leakFast/);
	});

	it('--agent: --on-heap at a size logs the crossing and what it wrote, once', async () => {
		const dir = tempDir('leaktop-triggers-');
		const port = await freePort();
		// Polls 20 s apart: the heap crosses between the first poll and the next, so a 1 Hz reading sees it first and a
		// profile is taken then (a poll that saw it first would write its own profile, with nothing to announce).
		const agent = spawn(process.execPath, [bin, '--agent', '--interval', '20000', '--on-heap', '40MB', '--export', dir, '--metrics', String(port), '--', process.execPath, target('fast-leak')], {stdio: ['ignore', 'pipe', 'pipe']});
		const finished = collect(agent, 120_000);
		const log = watchStderr(agent);
		try {
			await log.waitFor(/on-heap: .*; wrote /, 90_000);
			const deadline = Date.now() + 90_000;
			// Held for many more readings (the heap twice the threshold): it still wrote once.
			while (await heapUsed(port) < 80e6) {
				assert.ok(Date.now() < deadline, log.text);
				await new Promise(resolve => {
					setTimeout(resolve, 200);
				});
			}

			agent.kill('SIGTERM');
			await finished;
		} finally {
			agent.kill('SIGKILL');
		}

		assert.match(log.text, /Z leaktop: on-heap: heap [\d.]+ MB ≥ 40\.0 MB; taking a profile now \(one forced GC\)…\n/);
		assert.equal(log.text.match(/on-heap: .*; wrote /g)?.length, 1, log.text);
		const [folder] = folders(dir, 'on-heap');
		assert.deepEqual(readdirSync(join(dir, folder!)).sort(), exports);
		assert.ok(sampledBytes(join(dir, folder!, 'profile.heapprofile')) > 20e6, 'the profile was taken at the crossing');
	});
});
