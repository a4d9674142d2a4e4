import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {govern} from '../source/governor.js';
import {profileSizeHint} from '../source/profile-size.js';

describe('the overhead governor', () => {
	it('keeps the requested interval while polls are cheap', () => {
		const state = govern(undefined, 5, 1000, 0.01);
		assert.deepEqual([state.intervalMs, state.stretched], [1000, false]);
		assert.ok(Math.abs(state.overhead - 0.005) < 1e-9);
	});

	it('stretches at once after a slow poll so the pause share stays within budget', () => {
		const state = govern(govern(undefined, 5, 1000, 0.01), 200, 1000, 0.01);
		assert.equal(state.intervalMs, 20_000);
		assert.equal(state.stretched, true);
		assert.ok(state.overhead <= 0.01 + 1e-9);
	});

	it('relaxes gradually when polls get cheap again', () => {
		let state = govern(undefined, 200, 1000, 0.01);
		state = govern(state, 5, 1000, 0.01);
		assert.ok(state.intervalMs > 1000 && state.intervalMs < 20_000);
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
