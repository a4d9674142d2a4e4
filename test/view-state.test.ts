import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {initialView, reduce} from '../source/ui/view-state.js';

const context = {rowCount: 30, compareRowCount: 5, hasBaseline: false};

describe('the selection', () => {
	it('stops at the first row on PgUp and at the last on PgDn, and never wraps', () => {
		const second = {...initialView, selected: 1};
		assert.equal(reduce(second, {type: 'move', by: -10}, context).selected, 0);
		assert.equal(reduce({...initialView, selected: 25}, {type: 'move', by: 10}, context).selected, 29);
		assert.equal(reduce(initialView, {type: 'move', by: -1}, context).selected, 0);
	});

	it('goes to the last row on End, counting from the end', () => {
		assert.equal(reduce(initialView, {type: 'move-to', index: -1}, context).selected, 29);
		assert.equal(reduce({...initialView, selected: 12}, {type: 'move-to', index: 0}, context).selected, 0);
	});
});
