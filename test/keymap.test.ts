import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {bindingsFor, footerFor, keymap, type Context} from '../source/ui/keymap.js';
import type {Mode} from '../source/ui/store.js';

const text = (mode: Mode, context: Context, targets: 'one' | 'several' | 'all' = 'one') => footerFor(mode, context, targets).map(([words]) => words).join('  ');

describe('the footer, from the keymap', () => {
	it('names in each place the keys that act there, the most used first', () => {
		assert.equal(text('live', 'list'), 'q quit  ? help  p pause  e export  c compare  ↑↓ select  s sort  [ ] window  a alloc  b baseline');
		assert.equal(text('live', 'list', 'several'), 'q quit  ? help  p pause  e export  c compare  ↑↓ select  s sort  , . target  [ ] window  a alloc  b baseline');
		// The all-targets view: what acts on one target's profile (sort, window, exports, baselines, the metric) is not named.
		assert.equal(text('live', 'list', 'all'), 'q quit  ? help  p pause  c compare  ↑↓ select  , . target');
		assert.equal(text('replay', 'list'), 'q quit  ? help  p play  ←→ step  e export  c compare  < > speed  ↑↓ select  s sort  Home/End ends  [ ] window  b baseline');
		assert.equal(text('live', 'drill'), 'q quit  Esc back  →/l expand  ←/h collapse  t callers/callees  ↑↓ select  Enter drill in  o generated/original');
		assert.equal(text('live', 'log'), 'q quit  Esc/L close  ↑↓ PgUp PgDn scroll  End follow');
	});

	it('names a key only where its binding is the one that acts', () => {
		for (const mode of ['live', 'replay'] as const) {
			for (const context of ['list', 'drill', 'log'] as const) {
				const acting = bindingsFor(mode, context);
				for (const binding of keymap.filter(entry => entry.footer !== undefined && footerFor(mode, context, 'several').some(([words]) => words === `${entry.footer!.keys ?? entry.label} ${entry.footer!.word}`))) {
					for (const key of binding.keys) {
						assert.equal(acting.find(entry => entry.keys.includes(key)), binding, `${key} in ${mode} ${context}`);
					}
				}
			}
		}
	});
});
