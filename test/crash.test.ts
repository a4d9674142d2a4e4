import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, it} from 'node:test';
import {cacheDir, fromInspector, writeCrashReport} from '../source/cli/common.js';
import {tempDir} from './helpers.js';

describe('an error nothing caught', () => {
	it('is an inspector\'s garbage when the CDP client threw it, else a bug of leaktop\'s', () => {
		assert.equal(fromInspector(new Error('a bug of ours')), false);
		// As chrome-remote-interface throws when an inspector's /json/list is not JSON (shared/CDP-FACTS.md).
		const library = new SyntaxError('Unexpected token < in JSON at position 0');
		library.stack = 'SyntaxError: Unexpected token < in JSON at position 0\n    at JSON.parse (<anonymous>)\n    at IncomingMessage.<anonymous> (/app/node_modules/chrome-remote-interface/lib/devtools.js:37:35)';
		assert.equal(fromInspector(library), true);
	});

	it('writes a bug\'s stack to a file of its own under the cache folder, named in the line leaktop says', () => {
		const dir = tempDir('leaktop-crash-');
		const path = writeCrashReport(new TypeError('cannot read x of undefined'), join(dir, 'crashes'))!;
		assert.match(path, /crashes\/crash-\d+-.+\.txt$/);
		assert.match(readFileSync(path, 'utf8'), /^leaktop [\d.]+, Node v\d+[\s\S]*TypeError: cannot read x of undefined\n {4}at /);
		assert.equal(cacheDir({XDG_CACHE_HOME: '/var/cache/me'}), '/var/cache/me/leaktop');
		assert.match(cacheDir({XDG_CACHE_HOME: 'relative'}), /\/\.cache\/leaktop$/, 'a relative XDG_CACHE_HOME is ignored, as the spec says');
	});
});
