import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {isLoopback, parseInspectAddress, resolveAddress} from '../source/attach/address.js';
import {CliError} from '../source/errors.js';
import {parseOptions, type RawFlags} from '../source/cli/options.js';

const flags: RawFlags = {
	demo: false, report: false, agent: false, eval: true, allowRemote: false, shareSampler: false, inspect: undefined, duration: undefined, interval: undefined,
	samplingInterval: undefined, maxOverhead: undefined, percentile: undefined, metric: undefined, record: undefined, log: undefined, replay: undefined, export: undefined, pid: undefined,
	failOnLeak: false, metrics: undefined, metricsSites: undefined, push: undefined, pushApp: undefined, pushQueue: undefined,
	onHeap: undefined, onSuspect: false, triggerSnapshot: false,
};

describe('--inspect addresses', () => {
	it('accepts every documented form', () => {
		assert.deepEqual(parseInspectAddress('9229'), {kind: 'http', host: '127.0.0.1', port: 9229});
		assert.deepEqual(parseInspectAddress('localhost:9230'), {kind: 'http', host: 'localhost', port: 9230});
		assert.deepEqual(parseInspectAddress('[::1]:9229'), {kind: 'http', host: '::1', port: 9229});
		assert.deepEqual(parseInspectAddress('http://127.0.0.1:9229'), {kind: 'http', host: '127.0.0.1', port: 9229});
		assert.deepEqual(parseInspectAddress('ws://127.0.0.1:9229/abc'), {kind: 'ws', host: '127.0.0.1', port: 9229, url: 'ws://127.0.0.1:9229/abc'});
	});

	it('rejects malformed ones with a clear error', () => {
		for (const bad of ['', 'abc', '70000', 'host:', 'host:port', 'wss://x:1/a', 'http://[::1']) {
			assert.throws(() => parseInspectAddress(bad), CliError, bad);
		}
	});

	it('resolves host names to IPs and refuses non-loopback without --allow-remote', async () => {
		assert.equal((await resolveAddress(parseInspectAddress('localhost:9229'), false)).host.match(/^(127\.|::1)/) === null, false);
		await assert.rejects(resolveAddress(parseInspectAddress('10.1.2.3:9229'), false), /not a loopback address.*ssh -L/);
		assert.equal((await resolveAddress(parseInspectAddress('10.1.2.3:9229'), true)).host, '10.1.2.3');
		assert.ok(isLoopback('127.0.0.2') && isLoopback('::1') && !isLoopback('192.168.1.1'));
	});
});

describe('parseOptions', () => {
	it('needs exactly one target', () => {
		assert.throws(() => parseOptions(flags, [], '/demo.cjs'), /nothing to profile/);
		assert.throws(() => parseOptions({...flags, demo: true}, ['node', 'x.js'], '/demo.cjs'), /choose one/);
	});

	it('writes the started program\'s output to --log\'s file as well, and refuses it for an attached process', () => {
		const options = parseOptions({...flags, log: '/var/log/app.log'}, ['node', 'app.js'], '/demo.cjs');
		assert.deepEqual(options.source.kind === 'spawn' ? [options.source.output, options.source.logFile] : [], ['capture', '/var/log/app.log']);
		assert.throws(() => parseOptions({...flags, log: 'x.log', inspect: ['9229']}, [], '/demo.cjs'), /--log goes with a program leaktop starts/);
		assert.throws(() => parseOptions({...flags, log: ' ', demo: true}, [], '/demo.cjs'), /--log needs a path/);
	});

	it('validates numbers', () => {
		for (const bad of [{interval: '0'}, {interval: 'abc'}, {samplingInterval: '12.5'}, {maxOverhead: '5'}, {duration: '-1', report: true}]) {
			assert.throws(() => parseOptions({...flags, demo: true, ...bad}, [], '/demo.cjs'), CliError, JSON.stringify(bad));
		}
	});

	it('turns flags into options', () => {
		const options = parseOptions({...flags, report: true, duration: '2.5', maxOverhead: '2', eval: false}, ['node', 'app.js'], '/demo.cjs');
		assert.equal(options.mode, 'report');
		assert.equal(options.durationMs, 2500);
		assert.equal(options.maxOverhead, 0.02);
		assert.equal(options.readProcess, false);
		assert.deepEqual(options.source, {kind: 'spawn', command: ['node', 'app.js'], output: process.stderr});
		assert.equal(parseOptions({...flags, demo: true}, [], '/demo.cjs').source.kind, 'spawn');
	});

	it('polls a user\'s program at 0.5% of its time, the bundled demo at 2%, unless told otherwise', () => {
		assert.equal(parseOptions(flags, ['node', 'app.js'], '/demo.cjs').maxOverhead, 0.005);
		assert.equal(parseOptions({...flags, demo: true}, [], '/demo.cjs').maxOverhead, 0.02);
		assert.equal(parseOptions({...flags, demo: true, maxOverhead: '1'}, [], '/demo.cjs').maxOverhead, 0.01);
	});

	it('reads --on-heap as a size or a share of the heap limit, and checks what triggers go with', () => {
		const heap = (text: string) => parseOptions({...flags, demo: true, onHeap: text}, [], '/demo.cjs').triggers?.onHeap;
		assert.deepEqual(heap('800MB'), {kind: 'bytes', bytes: 800e6});
		assert.deepEqual(heap('1.5 GiB'), {kind: 'bytes', bytes: 1.5 * 2 ** 30});
		assert.deepEqual(heap('2000000'), {kind: 'bytes', bytes: 2e6});
		assert.deepEqual(heap('80%'), {kind: 'share', share: 0.8});
		for (const bad of ['', 'lots', '0%', '100%', '12 parsecs', '10KB', '-5MB']) {
			assert.throws(() => heap(bad), /^CliError: --on-heap .*: expected a size/, bad);
		}

		assert.deepEqual(parseOptions({...flags, demo: true, onSuspect: true, triggerSnapshot: true}, [], '/demo.cjs').triggers, {onHeap: undefined, onSuspect: true, heapSnapshot: true});
		assert.equal(parseOptions({...flags, demo: true}, [], '/demo.cjs').triggers, undefined);
		assert.throws(() => parseOptions({...flags, demo: true, triggerSnapshot: true}, [], '/demo.cjs'), /--trigger-snapshot goes with --on-heap or --on-suspect/);
		assert.throws(() => parseOptions({...flags, demo: true, onHeap: '80%', eval: false}, [], '/demo.cjs'), /--no-eval.*give a size/);
		assert.deepEqual(parseOptions({...flags, demo: true, onHeap: '80MB', eval: false}, [], '/demo.cjs').triggers?.onHeap, {kind: 'bytes', bytes: 80e6});
		assert.throws(() => parseOptions({...flags, replay: 'x.leaktop', onSuspect: true}, [], '/demo.cjs'), /not --replay/);
	});

	it('takes --inspect several times, once each', () => {
		const options = parseOptions({...flags, inspect: ['9229', 'localhost:9230']}, [], '/demo.cjs');
		assert.deepEqual(options.source, {kind: 'inspect', address: '9229', allowRemote: false});
		assert.deepEqual(options.alsoInspect, [{kind: 'inspect', address: 'localhost:9230', allowRemote: false}]);
		assert.throws(() => parseOptions({...flags, inspect: ['9229', 'localhost:9229']}, [], '/demo.cjs'), /^CliError: --inspect localhost:9229 is given twice/);
		assert.throws(() => parseOptions({...flags, inspect: ['9229'], demo: true}, [], '/demo.cjs'), /choose one/);
	});
});
