import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {describe, it} from 'node:test';
import {bin, collect, freePort, samplerStopped, startInspectable, target, watchStderr} from './run-leaktop.js';

describe('--agent', () => {
	it('logs the leak, follows a restart on its address, and stops the sampler on SIGTERM', async () => {
		const port = await freePort();
		const first = await startInspectable(target('fast-leak'), [`--inspect=127.0.0.1:${port}`]);
		const agent = spawn(process.execPath, [bin, '--agent', '--inspect', String(port)], {stdio: ['ignore', 'pipe', 'pipe']});
		const finished = collect(agent, 120_000);
		const log = watchStderr(agent);
		let second: Awaited<ReturnType<typeof startInspectable>> | undefined;
		try {
			await log.waitFor(/^\d{4}-\d\d-\d\dT[\d:.]+Z leaktop: attached to .*fast-leak\.cjs/m);
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
			first.child.kill();
			second?.child.kill();
		}
	});
});
