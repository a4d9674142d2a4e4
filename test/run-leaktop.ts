import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {fileURLToPath} from 'node:url';
import {parseInspectAddress} from '../source/attach/address.js';
import {connect} from '../source/attach/inspector.js';
import type {LeaktopEvent} from '../source/events.js';
import {createModel} from '../source/model/target.js';
import {decodeRecording} from '../source/sinks/recording-format.js';
import {replayInto} from '../source/sinks/recording-reader.js';
import {buildSessionReport, type Report} from '../source/sinks/report.js';
import {tempDir} from './helpers.js';

export const bin = fileURLToPath(new URL('../bin/leaktop.js', import.meta.url));
export const target = (name: string) => fileURLToPath(new URL(`targets/${name}.cjs`, import.meta.url));

/** A real Node binary of a version users run, for targets (installed by test/node-versions/ensure.mjs, which `npm test` runs first). */
export function targetNode(major: '20' | '22' | '24' | '26'): string {
	const path = fileURLToPath(new URL(`node-versions/node_modules/node${major}/bin/node`, import.meta.url));
	if (!existsSync(path)) {
		throw new Error(`no Node ${major} binary at ${path}: run node test/node-versions/ensure.mjs`);
	}

	return path;
}

export type Run = {readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string};

/** Starts the built leaktop with CI removed from its environment, as a user's shell has it. */
export function spawnLeaktop(args: readonly string[]): ChildProcess {
	const {CI: _ci, ...env} = process.env;
	return spawn(process.execPath, [bin, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']});
}

/** Runs the built leaktop to completion (killing it after `timeoutMs`). */
export function runLeaktop(args: readonly string[], timeoutMs = 60_000): Promise<Run> {
	return collect(spawnLeaktop(args), timeoutMs);
}

export function collect(child: ChildProcess, timeoutMs: number): Promise<Run> {
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', (chunk: Buffer) => {
		stdout += chunk.toString('utf8');
	});
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	return new Promise(resolve => {
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({code, signal, stdout, stderr});
		});
	});
}

/** Starts a Node program with its inspector on a free loopback port and returns the port. */
export async function startInspectable(file: string, flags: readonly string[] = ['--inspect=127.0.0.1:0'], args: readonly string[] = []): Promise<{child: ChildProcess; port: number; exited: Promise<number | null>}> {
	const child = spawn(process.execPath, [...flags, file, ...args], {stdio: ['ignore', 'ignore', 'pipe']});
	const exited = new Promise<number | null>(resolve => {
		child.on('exit', code => resolve(code));
	});
	const port = await new Promise<number>((resolve, reject) => {
		let seen = '';
		child.stderr!.on('data', (chunk: Buffer) => {
			seen += chunk.toString('utf8');
			const match = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
			if (match !== null) {
				resolve(Number(match[1]));
			}
		});
		child.on('exit', () => reject(new Error(`${file} exited before its inspector opened: ${seen}`)));
	});
	return {child, port, exited};
}

/** True when stderr is one line of leaktop's own, with no stack trace. */
export function isOneLineError(stderr: string): boolean {
	const lines = stderr.trim().split('\n').filter(line => line.startsWith('leaktop:'));
	return lines.length === 1 && !/\n\s+at /.test(stderr);
}

/** A loopback port free now, for a server a test starts on a port of its choosing (a restarted target, Prometheus). */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	await new Promise(resolve => {
		server.close(resolve);
	});
	return port;
}

/** Whether the sampler in the target behind `port` is stopped (no sampler runs: leaktop stopped what it started). */
export async function samplerStopped(port: number): Promise<boolean> {
	const inspector = await connect(parseInspectAddress(String(port)));
	try {
		await inspector.getSamplingProfile();
		return false;
	} catch (error) {
		return /not started/i.test(String(error));
	} finally {
		await inspector.close();
	}
}

/** A child's stderr as it grows, and a wait for a pattern in it. */
export function watchStderr(child: ReturnType<typeof spawn>) {
	let seen = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		seen += chunk.toString('utf8');
	});
	return {
		get text() {
			return seen;
		},
		/** Waits until what it said matches `pattern`; the match. */
		async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const match = pattern.exec(seen);
				if (match !== null) {
					return match;
				}

				assert.ok(Date.now() < deadline, `never said ${pattern}:\n${seen}`);
				await new Promise(resolve => {
					setTimeout(resolve, 100);
				});
			}
		},
	};
}

/** Whether a process is alive (signal 0 reaches it). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Waits until the recording leaktop is writing holds an event that `wanted` accepts (a partial last record is skipped); that event. */
export async function untilRecorded(file: string, wanted: (event: LeaktopEvent) => boolean, what: string, timeoutMs = 45_000): Promise<LeaktopEvent> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			const found = decodeRecording(readFileSync(file)).events.find(event => wanted(event));
			if (found !== undefined) {
				return found;
			}
		} catch {}

		assert.ok(Date.now() < deadline, `no ${what} in ${file} within ${timeoutMs / 1000} s`);
		await new Promise(resolve => {
			setTimeout(resolve, 100);
		});
	}
}

/**
 * A `--report` that ends (by SIGINT, as a user ends it) once `ready` holds for the report of what it recorded so
 * far, judged by the model the report itself is built with: for a test whose condition a loaded machine reaches
 * late, where a fixed --duration would end first. Fails when it is not reached within `timeoutMs`.
 */
export async function reportOnceJudged(args: readonly string[], ready: (report: Report) => boolean, what: string, timeoutMs = 150_000): Promise<Run> {
	const recording = join(tempDir('leaktop-judged-'), 'run.ltrec');
	const leaktop = spawnLeaktop(['--report', '--duration', '3600', '--record', recording, ...args]);
	const finished = collect(leaktop, timeoutMs + 90_000);
	const judgedSoFar = () => {
		const model = createModel();
		try {
			replayInto(event => {
				model.apply(event);
			}, decodeRecording(readFileSync(recording)));
		} catch {
			return undefined;
		}

		return buildSessionReport(model.targets, Date.now(), 99);
	};

	try {
		const deadline = Date.now() + timeoutMs;
		for (let sofar = judgedSoFar(); sofar === undefined || !ready(sofar); sofar = judgedSoFar()) {
			assert.ok(Date.now() < deadline, `never within ${timeoutMs / 1000} s: ${what}`);
			assert.equal(leaktop.exitCode, null, `leaktop ended before ${what}`);
			await new Promise(resolve => {
				setTimeout(resolve, 1000);
			});
		}
	} finally {
		leaktop.kill('SIGINT');
	}

	return finished;
}
