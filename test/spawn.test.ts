import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {inspectorAnnounced} from '../source/attach/spawn.js';

describe('a spawned program\'s children, as their inspectors are announced on its stderr', () => {
	it('takes Node\'s own line on loopback, whole', () => {
		const url = 'ws://127.0.0.1:40123/0f2c936f-b1cd-4ac9-aab3-f63b0f33d55e';
		assert.equal(inspectorAnnounced(`Debugger listening on ${url}`), url);
		assert.equal(inspectorAnnounced(`Debugger listening on ${url}\r`), url, 'a CRLF line');
	});

	it('ignores what the program may print that looks like it: another host, a quote, a bad port, a wrong id', () => {
		for (const line of [
			'Debugger listening on ws://10.0.0.8:9229/0f2c936f-b1cd-4ac9-aab3-f63b0f33d55e',
			'Debugger listening on ws://localhost:9229/0f2c936f-b1cd-4ac9-aab3-f63b0f33d55e',
			'log: Debugger listening on ws://127.0.0.1:9229/0f2c936f-b1cd-4ac9-aab3-f63b0f33d55e',
			'Debugger listening on ws://127.0.0.1:99999/0f2c936f-b1cd-4ac9-aab3-f63b0f33d55e',
			'Debugger listening on ws://127.0.0.1:9229/../../etc',
			'Debugger listening on ws://127.0.0.1:9229/0f2c936f-b1cd-4ac9-aab3-f63b0f33d55e extra',
		]) {
			assert.equal(inspectorAnnounced(line), undefined, line);
		}
	});
});
