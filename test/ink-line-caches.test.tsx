import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {setImmediate as tick} from 'node:timers/promises';
import {Box, Text} from 'ink';
import {useState} from 'react';
import {keptAcrossFrames, maxCachedLines} from '../source/ui/ink-line-caches.js';
import {renderAt} from './render-at.js';

/** A screen of three lines, the middle one counting: what a live view's frames are (most lines unchanged). */
function counter() {
	let show: (count: number) => void = () => undefined;
	function Screen() {
		const [count, setCount] = useState(0);
		show = setCount;
		return (
			<Box flexDirection="column">
				<Text color="green">a line that stays</Text>
				<Text>{`line ${count}`}</Text>
				<Text bold>another that stays</Text>
			</Box>
		);
	}

	const view = renderAt(<Screen />, 40, 3);
	return {
		view,
		async draw(count: number) {
			show(count);
			while (!view.lastFrame()?.includes(`line ${count}\n`)) {
				await tick();
			}

			return view.lastFrame()!;
		},
	};
}

describe("ink's line caches, kept across frames", () => {
	it('are kept by the ink installed, and a frame draws the same screen from them', async () => {
		assert.ok(keptAcrossFrames !== undefined, 'this ink has no line caches to keep: key presses redraw every line');
		const {view, draw} = counter();
		try {
			const first = await draw(1);
			assert.ok([...keptAcrossFrames.styledChars.keys()].some(line => line.includes('a line that stays')), 'the first frame filled the shared caches');
			await draw(2);
			assert.equal(await draw(1), first, 'a frame drawn from the caches is the frame drawn afresh');
			assert.match(first, /a line that stays\nline 1\nanother that stays/);
		} finally {
			view.unmount();
		}
	});

	it('stay bounded while a view changes on every frame', async () => {
		const {view, draw} = counter();
		try {
			let largest = 0;
			for (let count = 0; count < maxCachedLines * 1.5; count++) {
				await draw(count);
				largest = Math.max(largest, keptAcrossFrames!.styledChars.size);
			}

			// Emptied when it outgrows the bound: a frame's own lines at most beyond it.
			assert.ok(largest <= maxCachedLines + 3, `${largest} lines kept`);
			assert.ok(largest > maxCachedLines / 2, 'kept across frames until then');
		} finally {
			view.unmount();
		}
	});
});
