import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, it} from 'node:test';
import {decodeRecording} from '../source/sinks/recording-format.js';
import type {Report} from '../source/sinks/report.js';
import {tempDir} from './helpers.js';
import {bin, collect, isAlive, reportOnceJudged, runLeaktop, startInspectable, target} from './run-leaktop.js';

async function until(what: string, check: () => boolean, timeoutMs = 90_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		assert.ok(Date.now() < deadline, `never: ${what}`);
		await new Promise(resolve => {
			setTimeout(resolve, 100);
		});
	}
}

describe('several processes', () => {
	it('-- node on a cluster primary follows both workers, names the leaking one, and leaves no process behind', async () => {
		// Ended once it holds enough to judge, not at a fixed time: on a loaded machine a worker may be attached late.
		const run = await reportOnceJudged(['--', process.execPath, target('cluster-leak')], sofar => sofar.targets?.length === 3 && sofar.targets.every(entry => entry.snapshots > 0) && sofar.sites.some(site => site.suspect), 'three processes sampled and a leak judged');
		assert.equal(run.code, 0, run.stderr);
		const report = JSON.parse(run.stdout) as Report;
		const targets = report.targets ?? [];
		assert.equal(targets.length, 3, JSON.stringify(targets.map(entry => [entry.id, entry.exited])));
		const [primary, ...workers] = targets;
		assert.ok(targets.every(entry => entry.kind === 'process' && entry.snapshots > 0));
		assert.ok(workers.every(worker => worker.parent === primary!.id));
		const leaking = targets.filter(entry => entry.sites.some(site => site.suspect));
		assert.equal(leaking.length, 1, JSON.stringify(targets.map(entry => entry.sites.filter(site => site.suspect).map(site => site.functionName))));
		assert.deepEqual(leaking[0]!.sites.filter(site => site.suspect).map(site => site.functionName), ['leakInClusterWorker']);
		assert.equal(report.sites[0]?.functionName, 'leakInClusterWorker');
		const pids = targets.map(entry => entry.target.pid);
		assert.ok(pids.every(pid => typeof pid === 'number') && new Set(pids).size === 3, JSON.stringify(pids));
		await until(`every process of the tree is gone: ${pids.filter(pid => isAlive(pid!)).join(', ')}`, () => pids.every(pid => !isAlive(pid!)), 10_000);
	});

	it('two --inspect addresses: one exits mid-session, the other goes on sampling, the exited one keeps its data, the recording holds both', async () => {
		const dir = tempDir('leaktop-processes-');
		const recording = join(dir, 'two.ltrec');
		const leak = await startInspectable(target('fast-leak'));
		const churn = await startInspectable(target('churn'));
		const agent = spawn(process.execPath, [bin, '--agent', '--max-overhead', '2', '--inspect', String(leak.port), '--inspect', String(churn.port), '--record', recording], {stdio: ['ignore', 'pipe', 'pipe']});
		const finished = collect(agent, 150_000);
		let log = '';
		agent.stderr!.on('data', (chunk: Buffer) => {
			log += chunk.toString('utf8');
		});
		const snapshotsOf = () => {
			const events = decodeRecording(readFileSync(recording)).events;
			const ids = [...new Set(events.filter(event => event.type === 'attached').map(event => event.targetId))];
			return ids.map(id => events.filter(event => event.type === 'snapshot' && event.targetId === id).length);
		};

		try {
			await until('both attached and leakFast found', () => (log.match(/attached to /g)?.length ?? 0) >= 2 && /leaking in pid \d+ \S*fast-leak\.cjs: leakFast/.test(log));
			await until('a profile of each', () => snapshotsOf().length === 2 && snapshotsOf().every(count => count > 0));
			churn.child.kill();
			await until('the exit said', () => /waiting for it to come back/.test(log));
			const [leakBefore] = snapshotsOf();
			await until('the other sampled on', () => snapshotsOf()[0]! > leakBefore!);
			agent.kill('SIGTERM');
			assert.equal((await finished).code, 0, log);
		} finally {
			agent.kill('SIGKILL');
			leak.child.kill();
			churn.child.kill();
		}

		const replayed = await runLeaktop(['--report', '--fail-on-leak', '--replay', recording]);
		assert.equal(replayed.code, 4, replayed.stderr);
		assert.match(replayed.stderr, /leaktop: leaking: leakFast \(.*fast-leak\.cjs:\d+\)/);
		const report = JSON.parse(replayed.stdout) as Report;
		const [first, second] = report.targets ?? [];
		assert.ok(first !== undefined && second !== undefined, replayed.stdout.slice(0, 500));
		assert.match(first.target.url, /fast-leak\.cjs$/);
		assert.match(second.target.url, /churn\.cjs$/);
		assert.ok(second.snapshots > 0 && second.exited !== null, 'the exited one keeps what was sampled');
		assert.ok(first.sites.some(site => site.suspect && site.functionName === 'leakFast'));
		assert.ok(second.sites.every(site => !site.suspect));
	});
});
