import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {bindingsFor, footerFor, keymap, type Context} from '../source/ui/keymap.js';
import type {Mode} from '../source/ui/store.js';

const text = (mode: Mode, context: Context, several = false) => footerFor(mode, context, several).map(([words]) => words).join('  ');

describe('the footer, from the keymap', () => {
	it('names in each place the keys that act there, the most used first', () => {
		assert.equal(text('live', 'list'), 'q quit  ? help  p pause  e export  c compare  s sort  ↑↓ select  [ ] window  a alloc  b baseline');
		assert.equal(text('live', 'list', true), 'q quit  ? help  p pause  e export  c compare  s sort  , . target  ↑↓ select  [ ] window  a alloc  b baseline');
		assert.equal(text('replay', 'list'), 'q quit  ? help  p play  ←→ step  e export  c compare  < > speed  s sort  Home/End ends  ↑↓ select  [ ] window  b baseline');
		assert.equal(text('live', 'drill'), 'q quit  Esc back  →/l expand  ←/h collapse  t callers/callees  Enter drill in  ↑↓ select  o generated/original');
		assert.equal(text('live', 'log'), 'q quit  Esc/L close  ↑↓ PgUp PgDn scroll  End follow');
	});

	it('names a key only where its binding is the one that acts', () => {
		for (const mode of ['live', 'replay'] as const) {
			for (const context of ['list', 'drill', 'log'] as const) {
				const acting = bindingsFor(mode, context);
				for (const binding of keymap.filter(entry => entry.footer !== undefined && footerFor(mode, context, true).some(([words]) => words === `${entry.footer!.keys ?? entry.label} ${entry.footer!.word}`))) {
					const key = binding.keys[0]!;
					assert.equal(acting.find(entry => entry.keys.includes(key)), binding, `${key} in ${mode} ${context}`);
				}
			}
		}
	});
});
