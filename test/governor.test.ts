import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {allowanceMs, govern} from '../source/sample/governor.js';
import type {Governor} from '../source/model/snapshot.js';
import {profileSizeHint} from '../source/model/profile-size.js';

/** Runs polls of the given costs through the governor: the intervals it chose and the share of time paused. */
function session(costs: readonly number[], requestedMs: number, budget: number) {
	let state: Governor | undefined;
	let paused = 0;
	let elapsed = 0;
	const intervals: number[] = [];
	for (const cost of costs) {
		state = govern(state, cost, requestedMs, budget);
		paused += cost;
		elapsed += state.intervalMs;
		intervals.push(state.intervalMs);
	}

	return {intervals, share: paused / elapsed, last: state!};
}

describe('the overhead governor', () => {
	it('keeps the requested interval while polls are cheap', () => {
		const {intervals, share, last} = session(Array.from({length: 100}, () => 5), 1000, 0.01);
		assert.ok(intervals.every(interval => interval === 1000));
		assert.ok(Math.abs(share - 0.005) < 1e-9);
		assert.equal(last.stretched, false);
	});

	it('lets the first polls of a small heap come at the requested interval, then governs', () => {
		const {intervals, last} = session(Array.from({length: 40}, () => 40), 1000, 0.005);
		assert.deepEqual(intervals.slice(0, 3), [1000, 1000, 1000], 'the table fills at once');
		assert.equal(last.intervalMs, 8000);
		assert.equal(last.burst, false);
		assert.equal(govern(undefined, 40, 1000, 0.005).burst, true);
	});

	it('holds the long-run share to the budget, the allowance aside, for any poll cost', () => {
		for (const cost of [20, 55, 400, 2000]) {
			const {share, intervals} = session(Array.from({length: 200}, () => cost), 1000, 0.005);
			const elapsed = intervals.reduce((sum, interval) => sum + interval, 0);
			assert.ok(share <= 0.005 + (allowanceMs / elapsed) + 1e-9, `${cost} ms polls: ${share}`);
		}
	});

	it('governs a big heap from its first poll, without paying that poll back', () => {
		const state = govern(undefined, 2000, 1000, 0.005);
		assert.equal(state.intervalMs, 400_000);
		assert.equal(state.stretched, true);
		assert.equal(state.creditMs, 0);
	});

	it('stretches at once after a slow poll, and relaxes when polls get cheap again', () => {
		let state = session(Array.from({length: 50}, () => 5), 1000, 0.01).last;
		state = govern(state, 200, 1000, 0.01);
		assert.ok(state.intervalMs >= 200 / 0.01 - (allowanceMs / 0.01) && state.stretched);
		for (let poll = 0; poll < 30; poll++) {
			state = govern(state, 5, 1000, 0.01);
		}

		assert.equal(state.intervalMs, 1000);
	});
});

describe('profileSizeHint', () => {
	it('warns only past 50k nodes, with the cost and a coarser interval', () => {
		assert.equal(profileSizeHint(49_999, 131_072), undefined);
		assert.equal(profileSizeHint(132_000, 131_072), 'profile of 132k nodes: each poll briefly costs the target ~132 MB; --sampling-interval 524288 would shrink it');
	});
});
