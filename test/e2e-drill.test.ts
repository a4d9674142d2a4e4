import assert from 'node:assert/strict';
import {fileURLToPath} from 'node:url';
import {describe, it} from 'node:test';
import type {Report} from '../source/sinks/report.js';
import {bin, reportOnceJudged, runLeaktop, target} from './run-leaktop.js';
import {suiteTerminals} from './tmux.js';

const typescript = (variant: 'inline' | 'external') => fileURLToPath(new URL(`targets/ts/${variant}/leak.js`, import.meta.url));

describe('true attribution in reports', {concurrency: 3}, () => {
	it('names the user frame of a leak inside a builtin', async () => {
		// The backing store has too few samples for survivor age: the verdict is growth's, which needs six polls over
		// 8 s, and a loaded machine spaces polls out. Ended once judged, not at a fixed time.
		const run = await reportOnceJudged(['--max-overhead', '2', '--', process.execPath, '--no-turbo-inlining', '--no-maglev-inlining', target('map-leak')], sofar => sofar.sites[0]?.suspect === true, 'a suspect on top');
		assert.equal(run.code, 0, run.stderr);
		const report = JSON.parse(run.stdout) as Report;
		const [top] = report.sites;
		assert.equal(top!.functionName, 'set');
		assert.equal(top!.suspect, true);
		assert.equal(top!.userFrame?.functionName, 'rememberSessions');
		assert.equal(top!.userFrame?.line, 6);
		assert.equal(top!.paths[0]!.frames[0], 'set');
		assert.match(top!.paths[0]!.frames[1]!, /^rememberSessions .*map-leak\.cjs:6$/);
	});

	for (const variant of ['inline', 'external'] as const) {
		it(`maps compiled TypeScript back to the .ts file with an ${variant} source map`, async () => {
			const run = await runLeaktop(['--report', '--duration', '5', '--', process.execPath, typescript(variant)]);
			assert.equal(run.code, 0, run.stderr);
			const report = JSON.parse(run.stdout) as Report;
			const hoard = report.sites.find(site => site.functionName === 'hoardEntries');
			assert.ok(hoard, JSON.stringify(report.sites.map(site => site.functionName)));
			assert.equal(hoard.line, 2, 'the generated line, as V8 reports it');
			assert.match(hoard.original!.url, /test\/targets\/ts\/leak\.ts$/);
			assert.equal(hoard.original!.line, 5);
		});
	}
});

describe('drill-down by keys in a real terminal', () => {
	const open = suiteTerminals();

	it('opens call paths, expands, collapses, switches to callees, goes back, filters, focuses and groups', async () => {
		const terminal = open([process.execPath, bin, '--max-overhead', '2', '--', process.execPath, '--no-turbo-inlining', '--no-maglev-inlining', target('map-leak')], {columns: 120, rows: 34});
		await terminal.waitFor(/› +1 (▲ )?set +(\(native\) )?← rememberSessions:6 /, 30_000);
		terminal.press('Enter');
		const callers = await terminal.waitFor(/CALLERS \(bottom-up/);
		assert.match(callers, /sites › set/);
		assert.match(callers, /inlined functions/);
		assert.match(callers, /▸ rememberSessions +test\/targets\/map-leak\.cjs:6 .*100%/);
		await terminal.waitFor(/source of set: a V8 builtin has no source/);
		terminal.press('Down', 'Right');
		await terminal.waitFor(/▾ rememberSessions[\s\S]*▸ listOnTimeout|▾ rememberSessions[\s\S]* listOnTimeout/);
		terminal.press('Left');
		await terminal.waitFor(/▸ rememberSessions/);
		terminal.press('Enter');
		await terminal.waitFor(/sites › set › rememberSessions/);
		await terminal.waitFor(/› ?6 setInterval\(function rememberSessions\(\) \{/);
		terminal.press('t');
		await terminal.waitFor(/CALLEES \(top-down/);
		terminal.press('Escape');
		await terminal.waitFor(/sites › set +\(Esc/);
		terminal.press('Escape');
		await terminal.waitFor(/FUNCTION +LOCATION/);

		terminal.press('/', 'z', 'z', 'z');
		await terminal.waitFor(/\/zzz▏/);
		await terminal.waitFor(/no site matches the filter, focus or scope/);
		terminal.press('Escape');
		await terminal.waitFor(/› +1 (▲ )?set +(\(native\) )?← rememberSessions:6 /);
		terminal.press('/', 'S', 'E', 'T', 'Enter');
		const kept = await terminal.waitFor(/filter "SET" \(\/ edits\)/);
		assert.match(kept, /› +1 (▲ )?set +(\(native\) )?← rememberSessions:6 /);
		const lines = kept.split('\n');
		const tableRows = lines.slice(lines.findIndex(line => /FUNCTION +LOCATION/.test(line)) + 1).filter(line => /^[› ] +\d+ /.test(line));
		assert.ok(tableRows.length > 0 && tableRows.every(line => /set/i.test(line)), `only rows that match: ${tableRows.join('\n')}`);
		terminal.press('/', 'Escape');
		await terminal.waitFor(/^(?![\s\S]*filter ")/);

		terminal.press('u');
		await terminal.waitFor(/› +1 ▲ rememberSessions +\S*map-leak\.cjs:6/);
		terminal.press('u', 'f');
		await terminal.waitFor(/focus set \(f clears\)/);
		terminal.press('q');
		await terminal.waitForExit();
	});

	it('shows the TypeScript file and its source in the table and the drill-down', async () => {
		const terminal = open([process.execPath, bin, '--', process.execPath, typescript('external')], {columns: 120, rows: 34});
		await terminal.waitFor(/hoardEntries +test\/targets\/ts\/leak\.ts:5/, 20_000);
		terminal.press('/', 'h', 'o', 'a', 'r', 'd', 'Enter', 'Enter');
		await terminal.waitFor(/source .*leak\.ts:5/);
		await terminal.waitFor(/› ?5 function hoardEntries\(count: number\): void \{/);
		terminal.press('o');
		await terminal.waitFor(/source .*external\/leak\.js:2/);
		terminal.press('q');
		await terminal.waitForExit();
	});
});
