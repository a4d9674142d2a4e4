import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {decodeRecording} from '../source/sinks/recording-format.js';
import type {Report} from '../source/sinks/report.js';
import {bin, collect, runLeaktop, target, type Run} from './run-leaktop.js';
import {suiteTerminals} from './tmux.js';
import {createModel} from '../source/model/target.js';
import {pprofTop, tempDir} from './helpers.js';

const dir = tempDir('leaktop-record-');

/** One live run recorded and exported, made by whichever test needs it first: each test can run alone, in any order. */
let memoRun: Promise<{live: Run; recording: string; exports: string}> | undefined;
function recordedMemo() {
	memoRun ??= (async () => {
		const recording = join(dir, 'memo.ltrec');
		const exports = join(dir, 'exports');
		const live = await runLeaktop(['--report', '--duration', '10', '--max-overhead', '2', '--record', recording, '--export', exports, '--', process.execPath, target('memo-beside-cache')]);
		return {live, recording, exports};
	})();
	return memoRun;
}

describe('record, replay and export', () => {
	const open = suiteTerminals();

	it('replays a recorded session into the same report, and exports what DevTools and go tool pprof read', async () => {
		const {live, recording, exports} = await recordedMemo();
		assert.equal(live.code, 0, live.stderr);
		assert.match(live.stderr, /recorded \d+ snapshots \(\d+ bytes\) in .*memo\.ltrec/);
		assert.match(live.stderr, /exporting 1\/4: profile\.heapprofile/);
		assert.match(live.stderr, /wrote .*profile\.heapprofile, .*profile\.pb\.gz, .*compare-all\.pb\.gz, .*compare-top\.pb\.gz/);
		const replayed = await runLeaktop(['--report', '--replay', recording]);
		assert.equal(replayed.code, 0, replayed.stderr);
		assert.equal(replayed.stdout, live.stdout, 'the report from the recording is the live one');
		const report = JSON.parse(live.stdout) as Report;
		assert.ok(report.snapshots >= 2, `${report.snapshots} snapshots`);

		// The export is the last profile as the model holds it: with the URLs that earlier profiles gave its frames.
		const model = createModel();
		for (const event of decodeRecording(readFileSync(recording)).events) {
			model.apply(event);
		}

		const lastProfile = model.targets[0]!.latest!.profile;
		const heapProfile = JSON.parse(readFileSync(join(exports, 'profile.heapprofile'), 'utf8')) as {head: {callFrame: {functionName: string}; children: unknown[]}; samples: unknown[]};
		assert.equal(heapProfile.head.callFrame.functionName, '(root)');
		assert.ok(Array.isArray(heapProfile.samples) && heapProfile.samples.length > 0);
		assert.deepEqual(heapProfile, JSON.parse(JSON.stringify(lastProfile)), 'the .heapprofile is the profile, round-tripped');

		const heaviest = [...report.sites].sort((a, b) => b.liveBytes - a.liveBytes)[0]!;
		const top = pprofTop(dir, [join(exports, 'profile.pb.gz')]);
		assert.equal(top[0]!.name, heaviest.functionName, `pprof's top ${JSON.stringify(top.slice(0, 3))} is leaktop's heaviest site`);
		const diff = pprofTop(dir, [`-diff_base=${join(exports, 'compare-all.pb.gz')}`, join(exports, 'compare-top.pb.gz')]);
		const leading = report.comparison.sites.filter(site => site.deltaBytes > 0);
		assert.ok(leading.length > 0);
		assert.ok(leading.slice(0, 3).some(site => site.functionName === diff[0]!.name), `diff top ${diff[0]?.name} leads the comparison`);
	});

	it('keeps every complete snapshot when leaktop is killed with SIGKILL mid-recording', async () => {
		const recording = join(dir, 'killed.ltrec');
		const child = spawn(process.execPath, [bin, '--report', '--duration', '60', '--max-overhead', '2', '--record', recording, '--', process.execPath, target('string-log')], {stdio: ['ignore', 'pipe', 'pipe']});
		const run = collect(child, 60_000);
		let seen = 0;
		for (let waited = 0; seen < 4 && waited < 30_000; waited += 200) {
			await sleep(200);
			try {
				seen = decodeRecording(readFileSync(recording)).events.filter(event => event.type === 'snapshot').length;
			} catch {
				// Not even a header yet.
			}
		}

		assert.ok(seen >= 4, `${seen} snapshots recorded`);
		child.kill('SIGKILL');
		await run;
		const decoded = decodeRecording(readFileSync(recording));
		try {
			assert.ok(decoded.events.filter(event => event.type === 'snapshot').length >= seen);
			assert.equal(decoded.events.some(event => event.type === 'end'), false, 'no clean end after SIGKILL');
			// Whether the kill landed mid-write is chance: cut the last record short to be sure replay copes.
			const cut = join(dir, 'cut.ltrec');
			const bytes = readFileSync(recording);
			writeFileSync(cut, bytes.subarray(0, bytes.length - 5));
			const replayed = await runLeaktop(['--report', '--replay', cut]);
			assert.equal(replayed.code, 0, replayed.stderr);
			assert.match(replayed.stderr, /partial record|damaged/);
			assert.equal((JSON.parse(replayed.stdout) as Report).snapshots, decoded.events.filter(event => event.type === 'snapshot').length - 1);
		} finally {
			// leaktop's guard ends the program it spawned; should it not have yet, this does.
			try {
				process.kill(decoded.header.target.pid!, 'SIGKILL');
			} catch {
				// Gone already.
			}
		}
	});

	it('refuses to overwrite a recording, and to replay a file that is not one', async () => {
		const {recording} = await recordedMemo();
		const again = await runLeaktop(['--report', '--duration', '2', '--record', recording, '--', process.execPath, target('churn')]);
		assert.equal(again.code, 2);
		assert.match(again.stderr, /^leaktop: --record .*memo\.ltrec: the file exists; leaktop never overwrites a recording/m);
		const foreign = await runLeaktop(['--report', '--replay', target('churn')]);
		assert.equal(foreign.code, 2);
		assert.match(foreign.stderr, /^leaktop: --replay .*churn\.cjs: not a leaktop recording$/m);
		const missing = await runLeaktop(['--report', '--replay', join(dir, 'none.ltrec')]);
		assert.match(missing.stderr, /no such file/);
	});

	it('opens a recording in the TUI and answers the replay keys', async () => {
		const {recording} = await recordedMemo();
		const terminal = open([process.execPath, bin, '--replay', recording, '--export', join(dir, 'from-tui')], {columns: 120, rows: 32});
		const opened = await terminal.waitFor(/REPLAY (\d+)\/\1 ❚❚ ×1/);
		const count = Number(/REPLAY (\d+)\//.exec(opened)![1]);
		assert.match(opened, /fillCache/);
		terminal.press('Home');
		await terminal.waitFor(new RegExp(`REPLAY 1/${count} `));
		terminal.press('Right');
		await terminal.waitFor(new RegExp(`REPLAY 2/${count} `));
		terminal.press('Left');
		await terminal.waitFor(new RegExp(`REPLAY 1/${count} `));
		terminal.press('>', '>');
		await terminal.waitFor(/×4/);
		terminal.press('p');
		await terminal.waitFor(new RegExp(`REPLAY ${count}/${count} ❚❚ ×4`), 20_000);
		terminal.press('e');
		await terminal.waitFor(/exported to \S+from-tui: profile\.heapprofile, profile\.pb\.gz, compare-all/);
		assert.ok(statSync(join(dir, 'from-tui', 'profile.pb.gz')).size > 0);
		terminal.press('q');
		await terminal.waitForExit();
	});
});
