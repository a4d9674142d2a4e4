import assert from 'node:assert/strict';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, it} from 'node:test';
import {isOneLineError, runLeaktop, target} from './run-leaktop.js';

async function listen(server: Server): Promise<number> {
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
	const server = createServer();
	const port = await listen(server);
	await new Promise(resolve => {
		server.close(resolve);
	});
	return port;
}

async function assertRefused(args: readonly string[], message: RegExp): Promise<void> {
	const run = await runLeaktop(args, 20_000);
	assert.equal(run.code, 2, `exit code for ${args.join(' ')}: ${run.stderr}`);
	assert.ok(isOneLineError(run.stderr), `one line, no stack trace: ${run.stderr}`);
	assert.match(run.stderr, message);
	assert.equal(run.stdout, '');
}

describe('bad input gets one clear line and exit code 2', () => {
	let web: Server;
	let webPort: number;
	before(async () => {
		web = createServer((_request, response) => {
			response.setHeader('content-type', 'text/html');
			response.end('<html><body>a web app, not an inspector</body></html>');
		});
		webPort = await listen(web);
	});
	after(() => {
		web.close();
	});

	it('a metrics port already taken, before anything is attached', async () => {
		await assertRefused(['--report', '--metrics', `127.0.0.1:${webPort}`, '--demo'], /--metrics 127\.0\.0\.1:\d+: cannot listen there \(.*EADDRINUSE/);
	});

	it('a closed port', async () => {
		await assertRefused(['--report', '--inspect', String(await closedPort())], /connection refused/);
	});

	it('an HTTP server that is not an inspector', async () => {
		await assertRefused(['--report', '--inspect', `127.0.0.1:${webPort}`], /did not answer JSON: not a Node inspector/);
	});

	it('a malformed address', async () => {
		await assertRefused(['--report', '--inspect', 'localhost:99999'], /port must be a number/);
		await assertRefused(['--report', '--inspect', 'https://127.0.0.1:9229'], /plain http\/ws/);
	});

	it('a non-loopback inspector without --allow-remote, refused before any traffic, named once', async () => {
		await assertRefused(['--report', '--inspect', '192.0.2.1:9229'], /^leaktop: refusing to attach to 192\.0\.2\.1: it is not a loopback address.*--allow-remote/);
	});

	it('invalid flag values and unknown flags', async () => {
		await assertRefused(['--report', '--interval', 'soon', '--demo'], /--interval soon: expected a whole number/);
		await assertRefused(['--report', '--sampling-interval', '0', '--demo'], /--sampling-interval 0/);
		await assertRefused(['--report', '--max-overhead', '5', '--demo'], /--max-overhead 5: expected a number from 0.1 to 2/);
		await assertRefused(['--report', '--duration', '-3', '--demo'], /--duration/);
		await assertRefused(['--frobnicate', '--demo'], /unknown flag --frobnicate/);
		await assertRefused(['--fail-on-leak', '--demo'], /--fail-on-leak goes with --report/);
		await assertRefused(['--report', '--metrics', 'everywhere', '--demo'], /--metrics everywhere: expected a port, or host:port/);
		await assertRefused(['--report', '--metrics-sites', '5', '--demo'], /--metrics-sites goes with --metrics/);
		await assertRefused(['--report'], /nothing to profile/);
		await assertRefused(['--report', '--demo', '--inspect', '9229'], /choose one of/);
		await assertRefused(['--demo', '--duration', '3'], /--duration goes with --report/);
	});

	it('a program that does not exist', async () => {
		await assertRefused(['--report', '--', '/nonexistent/program'], /cannot run \/nonexistent\/program: command not found/);
	});

	it('a program that is not Node and never opens an inspector', async () => {
		await assertRefused(['--report', '--', 'sh', '-c', 'exit 0'], /exited \(code 0\) before its inspector opened|did not open an inspector/);
	});

	it('the live view without a terminal', async () => {
		await assertRefused(['--demo'], /needs a terminal.*--report/);
	});

	it('without a terminal, what else is wrong is said first: a process that does not exist, a recording that does not', async () => {
		await assertRefused(['--pid', '999999'], /^leaktop: --pid 999999: no such process$/m);
		await assertRefused(['--replay', '/nonexistent/leaktop-test/nosuch.ltrec'], /^leaktop: .*nosuch\.ltrec/);
	});
});

describe('a program that fails before anything is sampled', () => {
	it('gets no report, but one line quoting its last error, and exit code 2', async () => {
		const run = await runLeaktop(['--report', '--duration', '5', '--', process.execPath, '/nonexistent/leaktop-test/nosuch.js'], 30_000);
		assert.equal(run.code, 2, run.stderr);
		assert.equal(run.stdout, '', 'no report');
		const own = run.stderr.split('\n').filter(line => line.startsWith('leaktop:'));
		assert.deepEqual(own, ['leaktop: the program exited (code 1) before anything was sampled: Error: Cannot find module \'/nonexistent/leaktop-test/nosuch.js\'']);
		assert.match(run.stderr, /Cannot find module/, 'its own output still goes to stderr');
	});
});

describe('a program that prints what looks like an inspector\'s announcement', () => {
	it('is attached at its own inspector, not at an address a wrapper printed before it', async () => {
		// A host that never resolves: were leaktop to follow the line, it would fail there, sending nothing anywhere.
		const fake = 'Debugger listening on ws://leaktop-test.invalid:9229/0d386d34-502b-403e-b87e-8a1fa113fa87';
		const run = await runLeaktop(['--report', '--duration', '3', '--', '/bin/sh', '-c', `echo '${fake}' >&2; exec '${process.execPath}' '${target('string-log')}'`], 60_000);
		assert.equal(run.code, 0, run.stderr);
		assert.ok((JSON.parse(run.stdout) as {snapshots: number}).snapshots >= 1);
	});
});
