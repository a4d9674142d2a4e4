import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {addPause, lastMinute, minuteMs, startPauseShare, type PauseShare} from '../source/model/pause-share.js';

/** Every minute's share, the slow way: each minute starting at the first poll's end or at a pause. */
function worstBruteForce(since: number, pauses: ReadonlyArray<{end: number; ms: number}>): number {
	let worst = 0;
	for (const from of [since, ...pauses.map(pause => pause.end - pause.ms)]) {
		const paused = pauses.reduce((sum, pause) => sum + Math.max(0, Math.min(pause.end, from + minuteMs) - Math.max(pause.end - pause.ms, from)), 0);
		worst = Math.max(worst, paused / minuteMs);
	}

	return worst;
}

describe('the measured pause share', () => {
	it('finds the worst minute after the first poll, as summing every minute would', () => {
		// Irregular polls over ten minutes: cheap ones often, a burst of dear ones in the middle.
		const pauses = Array.from({length: 200}, (_, index) => ({end: 1000 + (index * 3000) + ((index * 7919) % 1700), ms: index > 80 && index < 95 ? 400 : 20 + (index % 9)}));
		let share: PauseShare = startPauseShare(1000);
		for (const pause of pauses) {
			share = addPause(share, pause);
		}

		assert.ok(Math.abs(share.worstMinute - worstBruteForce(1000, pauses)) < 1e-12, `${share.worstMinute} against ${worstBruteForce(1000, pauses)}`);
		assert.ok(share.worstMinute > 0.09, 'the burst: fourteen 400 ms pauses a minute');
		assert.ok(share.recent.length <= 21, 'keeps only what a minute can still reach');
		assert.equal(share.longestMs, 400, 'the dearest pause, though it has left every minute kept');
	});

	it('reads the last minute, a pause counted as far as it overlaps it', () => {
		let share = startPauseShare(0);
		share = addPause(share, {end: 10_600, ms: 600});
		share = addPause(share, {end: 70_300, ms: 600});
		assert.equal(lastMinute(share, 70_300), 900 / minuteMs);
		assert.equal(lastMinute(share, 30_000), 600 / 30_000, 'less than a minute since the first poll: the share of the time since');
	});
});
