import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {bin, target} from './run-leaktop.js';
import {suiteTerminals} from './tmux.js';

describe('the live view between profiles', () => {
	const open = suiteTerminals();

	it('moves the clock every second on a 400 MB heap while the next profile is far off, and says when it comes', async () => {
		const terminal = open([process.execPath, bin, '--', process.execPath, target('big-heap')], {columns: 120, rows: 30});
		// Once the heap is built, a poll costs ~0.4 s and the 0.5% budget spaces profiles a minute or more apart.
		const far = await terminal.waitFor(/heap [3-9]\d\d MB .*\n.*profiles?, next in (1\d|[2-9]\d|\d{3}) s/, 90_000);
		const profiles = /(\d+) profiles?, next in/.exec(far)![1];
		const clocks = new Set<string>();
		const started = Date.now();
		// Read the screen often for up to 8 s: a view that only moved at profiles would show one clock here.
		while (clocks.size < 4 && Date.now() - started < 8000) {
			const screen = terminal.screen();
			const clock = /attached (\d\d:\d\d)/.exec(screen)?.[1];
			if (clock !== undefined && new RegExp(`${profiles} profiles?, next in`).test(screen)) {
				clocks.add(clock);
			}

			await sleep(100);
		}

		assert.ok(clocks.size >= 4, `the clock showed ${[...clocks].join(', ')} in ${Date.now() - started} ms without a new profile`);
		terminal.press('q');
		await terminal.waitForExit(20_000);
	});
});
