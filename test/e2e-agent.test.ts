import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {bin, collect, freePort, samplerStopped, startInspectable, target, watchStderr} from './run-leaktop.js';

describe('--agent', () => {
	it('waits for a service not up yet, logs the leak, follows a restart on its address, and stops the sampler on SIGTERM', async () => {
		const port = await freePort();
		// A sidecar starts first: the agent waits for the inspector, saying so once, rather than ending.
		const agent = spawn(process.execPath, [bin, '--agent', '--inspect', String(port)], {stdio: ['ignore', 'pipe', 'pipe']});
		const finished = collect(agent, 120_000);
		const log = watchStderr(agent);
		let first: Awaited<ReturnType<typeof startInspectable>> | undefined;
		let second: Awaited<ReturnType<typeof startInspectable>> | undefined;
		try {
			await log.waitFor(new RegExp(`leaktop: waiting for the inspector at 127\\.0\\.0\\.1:${port} to answer`));
			first = await startInspectable(target('fast-leak'), [`--inspect=127.0.0.1:${port}`]);
			await log.waitFor(/^\d{4}-\d\d-\d\dT[\d:.]+Z leaktop: attached to .*fast-leak\.cjs/m, 30_000);
			assert.equal(log.text.match(/waiting for the inspector/g)?.length, 1, 'said once');
			await log.waitFor(/leaktop: leaking: leakFast \(.*fast-leak\.cjs:\d+\), .* held, \+.*\/min/);
			first.child.kill('SIGKILL');
			await log.waitFor(new RegExp(`waiting for it to come back on 127\\.0\\.0\\.1:${port}`));
			second = await startInspectable(target('fast-leak'), [`--inspect=127.0.0.1:${port}`]);
			await log.waitFor(/re-attached: the target restarted/);
			await log.waitFor(/leaking: leakFast[\s\S]*re-attached[\s\S]*leaking: leakFast/, 60_000);
			agent.kill('SIGTERM');
			const run = await finished;
			assert.equal(run.code, 0, log.text);
			assert.match(log.text, /stopping: the sampler is stopped in the target/);
			assert.equal(run.stdout, '', 'an agent writes nothing on stdout');
			assert.equal(await samplerStopped(port), true, 'leaktop stopped the sampler it started');
			assert.equal(second.child.exitCode, null, 'the target runs on');
		} finally {
			agent.kill('SIGKILL');
			first?.child.kill();
			second?.child.kill();
		}
	});

	it('stops the orderly way when whatever reads its log goes away', async () => {
		const inspectable = await startInspectable(target('fast-leak'));
		const agent = spawn(process.execPath, [bin, '--agent', '--inspect', String(inspectable.port)], {stdio: ['ignore', 'ignore', 'pipe']});
		const exited = new Promise<number | null>(resolve => {
			agent.once('exit', resolve);
		});
		const deadline = new AbortController();
		try {
			await watchStderr(agent).waitFor(/leaktop: attached to/);
			// The next line it logs (the leak) meets a closed pipe: EPIPE, as `leaktop --agent … 2>&1 | head` gets.
			agent.stderr!.destroy();
			const code = await Promise.race([exited, sleep(90_000, 'still running', {signal: deadline.signal})]);
			assert.equal(code, 0, 'ended, and the orderly way');
			assert.equal(await samplerStopped(inspectable.port), true, 'leaktop stopped the sampler it started');
			assert.equal(inspectable.child.exitCode, null, 'the target runs on');
		} finally {
			deadline.abort();
			agent.kill('SIGKILL');
			inspectable.child.kill();
		}
	});

	it('says that a poll on a large heap costs more than a minute\'s budget, and what the governor does instead', async () => {
		// 0.1% of a minute is 60 ms: a full GC of big-heap's 400 MB heap takes several times that.
		const agent = spawn(process.execPath, [bin, '--agent', '--max-overhead', '0.1', '--', process.execPath, target('big-heap')], {stdio: ['ignore', 'pipe', 'pipe']});
		const finished = collect(agent, 420_000);
		const log = watchStderr(agent);
		try {
			// At the second poll, which comes the first's cost ÷ 0.1% after it (~20 s here; minutes on a loaded machine).
			const told = await log.waitFor(/a poll now pauses the target (\d+) ms \(a full GC of a ([\d.]+) (MB|GB) heap\), more than its budget of 0\.1% of a minute: polls come (\d+) s or more apart to hold 0\.1% over that span, but a minute that holds one is at [\d.]+%/, 360_000);
			const [, pollMs, , , everySeconds] = told;
			assert.ok(Number(pollMs) > 60, log.text);
			assert.ok(Number(everySeconds) * 1000 >= Number(pollMs) / 0.001 * 0.99, `the interval holds 0.1% over its span: ${told[0]}`);
		} finally {
			agent.kill('SIGTERM');
		}

		const run = await finished;
		assert.equal(run.code, 0, log.text);
	});
});
