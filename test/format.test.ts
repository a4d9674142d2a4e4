import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import stringWidth from 'string-width';
import {fit, pad} from '../source/format.js';

describe('fit', () => {
	it('cuts plain text to the width, keeping its start or its end', () => {
		assert.equal(fit('rememberRequest', 8), 'remembe…');
		assert.equal(fit('/srv/app/server.js:17', 10, 'end'), '…ver.js:17');
		assert.equal(fit('short', 10), 'short');
		assert.equal(fit('anything', 1), '…');
		assert.equal(fit('anything', 0), '');
	});

	it('counts terminal columns: wide characters take two, combining marks none, and neither is split', () => {
		const wide = fit('日本語のファイル名', 8);
		assert.equal(wide, '日本語…');
		assert.ok(stringWidth(wide) <= 8);
		assert.equal(fit('/app/日本語.js:3', 9, 'end'), '…語.js:3');
		const accented = 'cafe\u0301-cafe\u0301-cafe\u0301';
		assert.equal(fit(accented, 14), accented, 'fourteen columns, seventeen code units');
		assert.equal(fit(accented, 6), 'cafe\u0301-…');
	});
});

describe('pad', () => {
	it('pads to terminal columns', () => {
		assert.equal(pad('日本', 6), '日本  ');
		assert.equal(pad('12', 5, 'right'), '   12');
		assert.equal(pad('too long', 3), 'too long');
	});
});
