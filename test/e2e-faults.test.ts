import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {parseInspectAddress} from '../source/attach/address.js';
import {connect} from '../source/attach/inspector.js';
import {decodeRecording} from '../source/sinks/recording-format.js';
import type {Report} from '../source/sinks/report.js';
import type {LeaktopEvent} from '../source/events.js';
import {bin, collect, freePort, isOneLineError, runLeaktop, samplerStopped, startInspectable, target, untilRecorded} from './run-leaktop.js';
import {suiteTerminals} from './tmux.js';
import {tempDir} from './helpers.js';

const dir = tempDir('leaktop-faults-');

const snapshotTaken = (event: LeaktopEvent) => event.type === 'snapshot';

/** Waits until `pid` is gone (or a zombie: orphaned, it is reaped by whichever process adopts it, which may never look). */
async function untilGone(pid: number): Promise<boolean> {
	const running = () => {
		try {
			return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
		} catch {
			return false;
		}
	};

	for (let tries = 0; tries < 300 && running(); tries++) {
		await sleep(100);
	}

	return !running();
}

describe('attaching by pid', () => {
	it('opens the inspector of a Node process started without --inspect, and profiles it', async () => {
		const child = spawn(process.execPath, [target('string-log')], {stdio: 'ignore'});
		try {
			await sleep(300);
			const run = await runLeaktop(['--report', '--duration', '3', '--pid', String(child.pid)]);
			assert.equal(run.code, 0, run.stderr);
			const report = JSON.parse(run.stdout) as Report;
			assert.equal(report.target.pid, child.pid);
			assert.ok(report.sites.some(site => site.url.endsWith('string-log.cjs') || site.functionName === 'repeat'));
			assert.equal(child.exitCode, null, 'the process runs on');
		} finally {
			child.kill();
		}
	});

	it('says whose inspector it found when port 9229 is held by another process', async () => {
		const holder = await startInspectable(target('churn'), ['--inspect=127.0.0.1:9229']);
		const other = spawn(process.execPath, [target('string-log')], {stdio: 'ignore'});
		try {
			await sleep(300);
			const run = await runLeaktop(['--report', '--duration', '3', '--pid', String(other.pid)]);
			assert.equal(run.code, 2, run.stdout);
			assert.ok(isOneLineError(run.stderr), run.stderr);
			assert.match(run.stderr, new RegExp(`--pid ${other.pid}: 127\\.0\\.0\\.1:9229 is held by the inspector of process ${holder.child.pid}`));
			assert.equal(other.exitCode, null, 'the process runs on');
			assert.equal(holder.child.exitCode, null, 'and so does the one holding the port');
		} finally {
			other.kill();
			holder.child.kill();
		}
	});

	it('says clearly when the pid is not there, or not Node', async () => {
		const missing = await runLeaktop(['--report', '--pid', '999999999']);
		assert.equal(missing.code, 2);
		assert.ok(isOneLineError(missing.stderr), missing.stderr);
		assert.match(missing.stderr, /--pid 999999999: (no such process|expected)/);
		const sleeper = spawn('sleep', ['30'], {stdio: 'ignore'});
		try {
			const notNode = await runLeaktop(['--report', '--pid', String(sleeper.pid)]);
			assert.equal(notNode.code, 2);
			assert.match(notNode.stderr, /runs .*sleep, not Node/);
			assert.equal(sleeper.exitCode, null, 'no signal was sent to it');
		} finally {
			sleeper.kill();
		}
	});
});

describe('signals and a sampler someone else stops', () => {
	const open = suiteTerminals();

	it('SIGHUP (an SSH drop) ends the TUI cleanly and stops the sampling it started', async () => {
		const {child, port} = await startInspectable(target('churn'));
		try {
			const terminal = open([process.execPath, bin, '--inspect', String(port)], {columns: 100, rows: 30});
			await terminal.waitFor(/FUNCTION +LOCATION[\s\S]*› +1 /);
			assert.equal(await samplerStopped(port), false, 'sampling runs while attached');
			// tmux's shell execs env, which execs leaktop: the pane's process is leaktop itself.
			const pid = terminal.panePid();
			assert.ok(pid > 1 && pid !== process.pid, 'the pid of leaktop');
			process.kill(pid, 'SIGHUP');
			await terminal.waitForExit();
			assert.equal(await samplerStopped(port), true, 'leaktop stopped the sampler it started');
			assert.equal(child.exitCode, null, 'the target runs on');
		} finally {
			child.kill();
		}
	});

	it('waits for a restarted target on the same address, re-attaches and marks the break', async () => {
		const port = await freePort();
		const first = await startInspectable(target('string-log'), [`--inspect=127.0.0.1:${port}`]);
		const terminal = open([process.execPath, bin, '--inspect', String(port)], {columns: 100, rows: 30});
		await terminal.waitFor(/FUNCTION +LOCATION[\s\S]*› +1 /);
		first.child.kill('SIGKILL');
		await terminal.waitFor(new RegExp(`waiting for it to come back on 127\\.0\\.0\\.1:${port}`));
		const second = await startInspectable(target('string-log'), [`--inspect=127.0.0.1:${port}`]);
		try {
			await terminal.waitFor(/re-attached: the target restarted; history has a break here/);
			await terminal.waitFor(/\(history has a break\)/);
			assert.equal(await samplerStopped(port), false, 'sampling again');
			terminal.press('q');
			await terminal.waitForExit();
			assert.equal(await samplerStopped(port), true);
		} finally {
			second.child.kill();
		}
	});

	it('draws without colour on TERM=dumb with NO_COLOR, and survives a storm of resizes', async () => {
		const terminal = open(['env', 'TERM=dumb', 'NO_COLOR=1', process.execPath, bin, '--', process.execPath, target('string-log')], {columns: 100, rows: 30});
		await terminal.waitFor(/FUNCTION +LOCATION[\s\S]*› +1 /);
		assert.doesNotMatch(terminal.screen({escapes: true}), /\u001B\[(3\d|9\d);?\d*m/, 'no colour codes');
		for (let round = 0; round < 15; round++) {
			terminal.resize(60 + ((round * 37) % 120), 18 + ((round * 11) % 30));
		}

		terminal.resize(100, 30);
		await terminal.waitFor(/FUNCTION +LOCATION[\s\S]*› +1 /);
		terminal.press('q');
		await terminal.waitForExit();
	});

	it('SIGTERM in report mode prints what was sampled and ends the spawned program', async () => {
		const recording = join(dir, 'sigterm.ltrec');
		const child = spawn(process.execPath, [bin, '--report', '--duration', '120', '--record', recording, '--', process.execPath, target('churn')], {stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
		});
		const exited = new Promise(resolve => {
			child.on('exit', resolve);
		});
		await untilRecorded(recording, snapshotTaken, 'snapshot');
		child.kill('SIGTERM');
		assert.equal(await exited, 0);
		const report = JSON.parse(stdout) as Report;
		assert.ok(report.snapshots >= 1);
		assert.equal(await untilGone(report.target.pid!), true, 'the spawned program is gone');
	});

	it('SIGKILL of leaktop still ends the spawned program', async () => {
		const recording = join(dir, 'sigkill.ltrec');
		const child = spawn(process.execPath, [bin, '--report', '--duration', '120', '--record', recording, '--', process.execPath, target('churn')], {stdio: ['ignore', 'ignore', 'ignore']});
		// Killed while sampling: the program is attached to and running, not held at its first line.
		await untilRecorded(recording, snapshotTaken, 'snapshot');
		const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
		const spawned = children.find(pid => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('churn.cjs'));
		assert.ok(spawned !== undefined, 'leaktop spawned the program');
		child.kill('SIGKILL');
		assert.equal(await untilGone(spawned), true, 'the spawned program is gone');
	});

	it('restarts sampling when another client stops it, and marks the break', async () => {
		const {child, port} = await startInspectable(target('string-log'));
		const recording = join(dir, 'restarted.ltrec');
		try {
			const leaktop = spawn(process.execPath, [bin, '--report', '--duration', '300', '--max-overhead', '2', '--record', recording, '--inspect', String(port)], {stdio: ['ignore', 'pipe', 'pipe']});
			const run = collect(leaktop, 120_000);
			await untilRecorded(recording, snapshotTaken, 'snapshot');
			const other = await connect(parseInspectAddress(String(port)));
			await other.stopSampling();
			await other.close();
			// Sampling again after the break, then the report ends by SIGTERM, as a user's Ctrl-C ends it.
			await untilRecorded(recording, event => event.type === 'notice' && event.gap === true, 'notice of the break');
			const notice = decodeRecording(readFileSync(recording)).events.findIndex(event => event.type === 'notice' && event.gap === true);
			await untilRecorded(recording, event => event.type === 'snapshot' && event.time > decodeRecording(readFileSync(recording)).events[notice]!.time, 'snapshot after the break');
			leaktop.kill('SIGTERM');
			const result = await run;
			assert.equal(result.code, 0, result.stderr);
			const notices = decodeRecording(readFileSync(recording)).events.filter(event => event.type === 'notice');
			assert.ok(notices.some(event => event.type === 'notice' && event.gap && /someone else .* stopped the sampler; restarted it/.test(event.message)), JSON.stringify(notices));
			assert.ok((JSON.parse(result.stdout) as Report).snapshots >= 2);
			assert.equal(await samplerStopped(port), true);
		} finally {
			child.kill();
		}
	});
});
