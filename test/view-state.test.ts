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

describe('keys whose effect the screen would not show say it on the status line, until the next key', () => {
	it('o with nothing source-mapped, + and - with the comparison closed, a live-only key in a replay', () => {
		const generated = reduce(initialView, {type: 'toggle-generated'}, context);
		assert.match(generated.said!, /nothing here is source-mapped/);
		assert.match(reduce(initialView, {type: 'toggle-generated'}, {...context, hasOriginals: true}).said!, /^o: generated locations/);
		const higher = reduce(initialView, {type: 'percentile', by: 1}, context);
		assert.equal(higher.said, 'comparing every snapshot with the heaviest 0.1% (c shows the comparison)');
		assert.equal(reduce(higher, {type: 'move', by: 1}, context).said, undefined, 'gone at the next key');
		assert.equal(reduce(initialView, {type: 'say', text: 'H: a recording has no target'}, context).said, 'H: a recording has no target');
	});
});
