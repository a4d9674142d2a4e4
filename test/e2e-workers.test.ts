import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {describe, it} from 'node:test';
import type {Report} from '../source/sinks/report.js';
import {bin, collect, runLeaktop, startInspectable, target, watchStderr} from './run-leaktop.js';

describe('worker threads', () => {
	it('--report on a program whose worker leaks: the worker is a target of its own with the leak, the main thread has none', async () => {
		const run = await runLeaktop(['--report', '--duration', '10', '--', process.execPath, target('worker-leak')], 120_000);
		assert.equal(run.code, 0, run.stderr);
		const report = JSON.parse(run.stdout) as Report;
		const [main, worker, ...more] = report.targets ?? [];
		assert.ok(main !== undefined && worker !== undefined && more.length === 0, JSON.stringify(report.targets?.map(entry => entry.id)));
		assert.equal(main.kind, 'process');
		assert.equal(worker.kind, 'worker');
		assert.equal(worker.parent, main.id);
		assert.match(worker.target.title, /leaky-worker/);
		assert.equal(worker.target.pid, main.target.pid, 'a worker is a thread of the same process');
		// Once V8 inlines the leaking function into the timer's, its allocations show there: either names the leak.
		const leakNames = new Set(['leakInWorker', 'listOnTimeout']);
		const suspects = worker.sites.filter(site => site.suspect).map(site => site.functionName);
		assert.ok(suspects.length > 0 && suspects.every(name => leakNames.has(name)), suspects.join(', '));
		assert.deepEqual(main.sites.filter(site => site.suspect), [], 'the main thread only churns');
		assert.ok(main.sites.every(site => site.functionName !== 'leakInWorker'), 'each isolate has its own profile');
		// The top level merges the targets: the leak first, named with the target that has it.
		const [top] = report.sites;
		assert.ok(top !== undefined && leakNames.has(top.functionName), top?.functionName);
		assert.deepEqual(top.byTarget?.filter(part => part.suspect).map(part => part.target), [worker.id]);
	});

	it('--agent attached to a running program finds its worker within seconds without pausing it, and names it in the leak\'s line', async () => {
		const program = await startInspectable(target('worker-leak'));
		const agent = spawn(process.execPath, [bin, '--agent', '--inspect', String(program.port)], {stdio: ['ignore', 'pipe', 'pipe']});
		const finished = collect(agent, 120_000);
		const log = watchStderr(agent);
		try {
			await log.waitFor(/leaking in \[worker \d+\] leaky-worker: (leakInWorker|listOnTimeout)/, 90_000);
			agent.kill('SIGTERM');
			assert.equal((await finished).code, 0, log.text);
		} finally {
			agent.kill('SIGKILL');
			program.child.kill();
		}

		assert.match(log.text, /attached to \[worker \d+\] leaky-worker/);
		assert.doesNotMatch(log.text, /leaking in pid/, 'no leak is put on the main thread');
	});

	it('workers that start and end every 400 ms are each followed, and none is held at its end', async () => {
		const {CI: _ci, ...env} = process.env;
		const child = spawn(process.execPath, [bin, '--report', '--duration', '120', '--', process.execPath, target('worker-churn')], {env: {...env, WORKERS: '12'}, stdio: ['ignore', 'pipe', 'pipe']});
		const run = await collect(child, 150_000);
		// The program exits after its twelfth worker: the report ends early, with exit code 3.
		assert.equal(run.code, 3, run.stderr);
		const delays = JSON.parse(/worker exit delays ms: (\[.*\])/.exec(run.stderr)?.[1] ?? 'null') as number[] | null;
		assert.ok(delays !== null && delays.length === 12, run.stderr);
		assert.ok(Math.max(...delays) < 3000, `a worker waited for leaktop at its end: ${delays.join(', ')} ms`);
		const report = JSON.parse(run.stdout) as Report;
		const workers = report.targets!.filter(entry => entry.kind === 'worker');
		assert.equal(workers.length, 12);
		assert.ok(workers.every(worker => worker.exited === 'the worker ended'), workers.map(worker => worker.exited).join(', '));
		// A worker lives 1 s, the first poll comes 0.3 s in: on a loaded machine some may end before it.
		assert.ok(workers.filter(worker => worker.snapshots > 0).length >= 6, workers.map(worker => worker.snapshots).join(', '));
	});
});
