import assert from 'node:assert/strict';
import {readFileSync, readdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execFileSync} from 'node:child_process';
import {describe, it} from 'node:test';
import stringWidth from 'string-width';
import {bin, isAlive, target} from './run-leaktop.js';
import {suiteTerminals} from './tmux.js';
import {tempDir} from './helpers.js';

describe('the live view in a real terminal', () => {
	const open = suiteTerminals();

	it('shows the allocators live, answers every key, and ends the target on q', async () => {
		const terminal = open([process.execPath, bin, '--max-overhead', '2', '--', process.execPath, target('string-log')], {columns: 100, rows: 30});
		const first = await terminal.waitFor(/(logLine|\(anonymous\)) .*string-log\.cjs:\d/);
		assert.match(first, /^leaktop {2}pid \d+/m);
		assert.match(first, /sort suspects/);
		const pid = Number(/pid (\d+)/.exec(first)![1]);
		assert.ok(isAlive(pid));

		const suspect = await terminal.waitFor(/▲ (\(anonymous\)|logLine|repeat) /, 30_000);
		assert.match(suspect, /\+[\d.]+ [KM]B\/m/, 'a growth figure beside the suspect');

		terminal.press('?');
		const help = await terminal.waitFor(/cycle the sort/);
		assert.match(help, /pause the view/);
		terminal.press('Escape');
		await terminal.waitFor(/FUNCTION +LOCATION/);

		terminal.press('s');
		await terminal.waitFor(/sort live bytes/);
		terminal.press(']');
		await terminal.waitFor(/window 15m/);
		terminal.press('[', '[');
		await terminal.waitFor(/window 1m/);

		terminal.press('j', 'j');
		await terminal.waitFor(/^› +3 /m);

		terminal.press('p');
		await terminal.waitFor(/PAUSED/);
		terminal.press('p');
		await terminal.waitFor(/^(?![\s\S]*PAUSED)/);

		terminal.resize(60, 20);
		await terminal.waitFor(/terminal too small \(60×20\)/);
		terminal.resize(100, 30);
		await terminal.waitFor(/FUNCTION +LOCATION/);

		terminal.press('q');
		await terminal.waitForExit();
		await waitUntil(() => !isAlive(pid), 'the spawned target ends with leaktop');
	});

	it('takes a heap snapshot into the user\'s cache folder (not the working directory) and forces a GC, only once confirmed', async () => {
		const cache = tempDir('leaktop-heavy-');
		const dir = join(cache, 'leaktop', 'heap-snapshots');
		const before = readdirSync(process.cwd());
		// At 2%, polls stay seconds apart on a loaded machine too: a snapshot taken for a poll would stretch the next to 30 s.
		const terminal = open(['env', `XDG_CACHE_HOME=${cache}`, process.execPath, bin, '--max-overhead', '2', '--', process.execPath, target('closures-leak')], {columns: 220, rows: 30});
		await terminal.waitFor(/FUNCTION +LOCATION[\s\S]*› +1 /);
		terminal.press('H');
		await terminal.waitFor(/Heap snapshot: pauses ~\d+–\d+ s, \+[\d.]+ [KMG]?B memory and disk\. y: take it, n: cancel/);
		terminal.press('n');
		await terminal.waitFor(/^(?![\s\S]*Heap snapshot:)/);
		assert.deepEqual(readdirSync(cache), [], 'cancelled: nothing written');
		terminal.press('H');
		await terminal.waitFor(/Heap snapshot:/);
		terminal.press('y');
		const done = await terminal.waitFor(/heap snapshot written: /, 30_000);
		assert.match(done, /heap snapshot written: \S+\/leaktop\/heap-snapshots\/leaktop-\d+-\S+\.heapsnapshot \([\d.]+ [KMG]?B/, 'the whole path is on screen');
		assert.deepEqual(readdirSync(process.cwd()), before, 'nothing in the working directory');
		// A snapshot is not a poll: the next poll after it is governed by what polls cost, not by the snapshot.
		const profiles = Number(/(\d+) profiles?, next in/.exec(done)![1]);
		const after = await terminal.waitFor(new RegExp(`(?<!\\d)(?!${profiles} )\\d+ profiles, next in`), 60_000);
		assert.ok(Number(/every ([\d.]+) s/.exec(after)![1]) < 30, `the governor after a snapshot: ${/pause .*/.exec(after)![0]}`);
		const [file] = readdirSync(dir);
		assert.match(file!, /^leaktop-\d+-.*\.heapsnapshot$/);
		const snapshot = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as {snapshot: {meta: unknown; node_count: number}; nodes: number[]; edges: number[]; strings: string[]};
		assert.ok(snapshot.snapshot.node_count > 1000 && snapshot.nodes.length > 0 && snapshot.edges.length > 0 && snapshot.strings.includes('subscribeForever'));
		terminal.press('g');
		await terminal.waitFor(/Full GC: pauses ~\d+ ms\. y: force it, n: cancel/);
		terminal.press('y');
		await terminal.waitFor(/full GC done/);
		terminal.press('P');
		await terminal.waitFor(/y: /);
		terminal.press('y');
		await terminal.waitFor(/profile taken \(\d+ so far\)/, 30_000);
		terminal.press('q');
		await terminal.waitForExit();
	});

	it('ends with one line quoting its error when the program fails before anything was sampled', async () => {
		const missing = join(tempDir('leaktop-missing-'), 'nosuch.js');
		const command = [process.execPath, bin, '--', process.execPath, missing].map(word => `'${word}'`).join(' ');
		// A shell around leaktop keeps the terminal open after it exits, to read what it said and its exit code.
		const terminal = open(['/bin/sh', '-c', `${command}; echo "exit=$?"; sleep 120`], {columns: 220, rows: 30});
		const screen = await terminal.waitFor(/exit=\d+/, 30_000);
		assert.match(screen, /exit=2/);
		assert.match(screen, /leaktop: the program exited \(code 1\) before anything was sampled: Error: Cannot find module '.*nosuch\.js'/);
	});

	it('shows a program\'s worker thread in the target bar, switches to it and to all targets at 80×24, and ends both on q', async () => {
		const terminal = open([process.execPath, bin, '--max-overhead', '2', '--', process.execPath, target('worker-leak')], {columns: 80, rows: 24});
		// The bar: both targets whole while they fit, else the shown one whole and the other as its number.
		const bar = await terminal.waitFor(/^1 pid \d+ worker-leak\.cjs [\d.]+ [kM]B( │ 2 \[worker 1\] leaky-worker .*│| 2( ▲)?) all$/m, 30_000);
		const pid = Number(/^1 pid (\d+)/m.exec(bar)![1]);
		terminal.press('.');
		// The view follows a leaking worker by itself until a key chooses: it may have been there already.
		const next = await terminal.waitFor(/^(leaktop {2}pid \d+ \[worker 1\] leaky-worker|all 2 targets)/m);
		if (/^all 2 targets/m.test(next)) {
			terminal.press(',');
		}

		await terminal.waitFor(/^leaktop {2}pid \d+ \[worker 1\] leaky-worker/m);
		// Once V8 inlines the leaking function into the timer's, its allocations show there: either names the leak.
		await terminal.waitFor(/▲ (leakInWor|listOnTim)/, 60_000);
		terminal.press('.');
		const all = await terminal.waitFor(/^all 2 targets .*leaking in 1 of 2/m, 30_000);
		assert.match(all, /^› +1 ▲ (leakInWor|listOnTim).* leaking in 1 of 2 +(#2|2)$/m);
		assert.match(all, /(leakInWorker|listOnTimeout) in each target:\n +#2 \[worker 1\] leaky-worker/);
		assert.ok(all.split('\n').every(line => stringWidth(line) <= 80), all);
		terminal.press('.');
		await terminal.waitFor(/^leaktop {2}pid \d+ \S*worker-leak\.cjs/m);
		terminal.press('q');
		await terminal.waitForExit();
		await waitUntil(() => !isAlive(pid), 'the program is ended with leaktop');
	});

	it('draws on the alternate screen: the shell\'s lines are back after q, and after SIGTERM', async () => {
		const command = [process.execPath, bin, '--', process.execPath, target('string-log')].map(word => `'${word}'`).join(' ');
		const terminal = open(['/bin/sh', '-c', `printf 'earlier line %s\\n' 1 2 3; ${command}; echo "exit=$?"; ${command}; echo "then=$?"; sleep 120`], {columns: 100, rows: 30});
		const drawn = await terminal.waitFor(/FUNCTION +LOCATION/, 30_000);
		assert.doesNotMatch(drawn, /earlier line/, 'the view has the screen to itself');
		terminal.press('q');
		const after = await terminal.waitFor(/^exit=0$/m, 30_000);
		assert.match(after, /^earlier line 1\nearlier line 2\nearlier line 3\nexit=0$/m, 'the shell\'s lines back, and no frame of the view left');
		await terminal.waitFor(/FUNCTION +LOCATION/, 30_000);
		const leaktop = Number(execFileSync('pgrep', ['-P', String(terminal.panePid()), '-f', 'leaktop'], {encoding: 'utf8'}).trim().split('\n')[0]);
		process.kill(leaktop, 'SIGTERM');
		const ended = await terminal.waitFor(/^then=\d+$/m, 30_000);
		assert.match(ended, /^earlier line 1\nearlier line 2\nearlier line 3\nexit=0\nthen=0$/m);
	});

	it('shows the program\'s output in the log pane (L), stderr marked, its end with the exit code, and leaves no file', async () => {
		const logFile = join(tempDir('leaktop-log-'), 'program.log');
		const command = [process.execPath, bin, '--log', logFile, '--', process.execPath, target('ticker')].map(word => `'${word}'`).join(' ');
		const terminal = open(['/bin/sh', '-c', `${command}; echo "exit=$?"; sleep 120`], {columns: 80, rows: 24});
		await terminal.waitFor(/FUNCTION +LOCATION/, 30_000);
		terminal.press('L');
		await terminal.waitFor(/^LOG +\d+ lines? +following the end/m);
		await terminal.waitFor(/^ {2}tick \d+/m);
		const warned = await terminal.waitFor(/^! warning 4: red text$/m, 30_000);
		assert.doesNotMatch(warned, /\[31m/, 'the program\'s colours are not drawn over the view');
		const ended = await terminal.waitFor(/^── target exited \(code 3\)/m, 30_000);
		assert.match(ended, /^! warning 12: red text\n── target exited \(code 3\)/m, 'the last lines, then how it ended');
		terminal.press('Up');
		await terminal.waitFor(/1 line back \(End follows\)/);
		terminal.press('Escape');
		await terminal.waitFor(/FUNCTION +LOCATION/);
		terminal.press('q');
		const shell = await terminal.waitFor(/^exit=\d+$/m, 30_000);
		assert.match(shell, /^leaktop: the program exited \(code 3\): warning 12: .*red.* text\nexit=3$/m);
		assert.deepEqual(terminal.leftInTmp(), [], 'no log file in the temporary folder');
		const written = readFileSync(logFile, 'utf8');
		assert.match(written, /^tick 1$[\s\S]*^warning 12: \u001B\[31mred/m, '--log: the program\'s output as it printed it');
	});

	it('switches the sampler to allocations/s on a and y, through the run, and back', async () => {
		const terminal = open([process.execPath, bin, '--max-overhead', '2', '--', process.execPath, target('churn')], {columns: 120, rows: 30});
		await terminal.waitFor(/FUNCTION +LOCATION +LIVE/);
		terminal.press('a');
		await terminal.waitFor(/Measure allocations\/s\? y\/n/);
		terminal.press('y');
		// The sampler restarted counting every allocation: the table's bytes column says so once a poll came.
		const allocating = await terminal.waitFor(/FUNCTION +LOCATION +ALLOC\/s/, 45_000);
		assert.match(allocating, /measuring allocations\/s/);
		terminal.press('a');
		await terminal.waitFor(/Measure retained bytes\? y\/n/);
		terminal.press('y');
		await terminal.waitFor(/FUNCTION +LOCATION +LIVE/, 45_000);
		terminal.press('q');
		await terminal.waitForExit();
	});

	it('keeps the data on screen when the target exits', async () => {
		// The program ends itself once the view shows a profile of it: cued, not timed (loading the view can take seconds).
		const cue = join(tempDir('leaktop-exits-'), 'exit-now');
		const terminal = open([process.execPath, bin, '--', process.execPath, target('exits-on-cue'), cue], {columns: 80, rows: 24});
		await terminal.waitFor(/FUNCTION +LOCATION[\s\S]*› +1 /, 60_000);
		writeFileSync(cue, '');
		const screen = await terminal.waitFor(/target exited \(code 7\)/, 30_000);
		assert.match(screen, /FUNCTION +LOCATION/);
		assert.ok(terminal.running, 'leaktop stays up to show what it had');
		terminal.press('q');
		await terminal.waitForExit();
	});
});

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		assert.ok(Date.now() < deadline, what);
		await new Promise(resolve => {
			setTimeout(resolve, 50);
		});
	}
}
