import CDP from 'chrome-remote-interface';
import type {InspectorAddress} from './address.js';
import {discoverTarget, fetchProtocol, type ListedTarget} from './discovery.js';
import {CliError, oneLine} from '../errors.js';
import type {SamplingProfile} from '../model/profile.js';
import type {HeapUsage, ProcessFigures} from '../model/snapshot.js';

/**
 * The only code leaktop ever evaluates in a target: it reads memory figures and changes nothing. The heap's
 * limit (what "JavaScript heap out of memory" is measured against) comes from `v8`, which the console's
 * command-line API lends `require` for, in ES modules too.
 */
export const processExpression = '({memory: process.memoryUsage(), pid: process.pid, uptimeSeconds: process.uptime(), '
	+ 'heapLimit: typeof require === \'function\' ? require(\'v8\').getHeapStatistics().heap_size_limit : undefined})';

/** The CDP session with one target: the only module that speaks the protocol. */
export type Inspector = {
	readonly target: ListedTarget;
	/** How many other targets the inspector listed. */
	readonly otherTargets: number;
	/** `includeCollected` keeps samples of objects the GC freed: the profile then counts bytes allocated, not held. */
	startSampling(samplingInterval: number, includeCollected?: boolean): Promise<void>;
	/** Forces a full GC in the target, then returns the live samples. */
	getSamplingProfile(): Promise<SamplingProfile>;
	/** Stops the sampler and returns its last profile. */
	stopSampling(): Promise<SamplingProfile>;
	getHeapUsage(): Promise<HeapUsage>;
	/** Evaluates the one fixed read-only expression (never called with --no-eval). */
	readProcess(): Promise<ProcessFigures>;
	runIfWaitingForDebugger(): Promise<void>;
	/** Streams a heap snapshot: every chunk to `onChunk` as it arrives, progress as a share 0..1. */
	takeHeapSnapshot(onChunk: (chunk: string) => void, onProgress: (share: number) => void): Promise<void>;
	/** A full GC in the target, on the user's request. */
	collectGarbage(): Promise<void>;
	/** Called once when the connection ends: the target exited or the socket dropped. */
	onClose(listener: (reason: string) => void): void;
	readonly closed: boolean;
	close(): Promise<void>;
};

export type ConnectOptions = {readonly timeoutMs?: number; readonly callTimeoutMs?: number};

/** How long the set-up calls that any live Node answers at once may take. */
const probeTimeoutMs = 3000;

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			reject(new Error(`${what} did not answer within ${timeoutMs} ms`));
		}, timeoutMs);
	});
	return Promise.race([promise, deadline]).finally(() => {
		clearTimeout(timer);
	});
}

function isSamplingProfile(value: unknown): value is SamplingProfile {
	const profile = value as {head?: {callFrame?: unknown; children?: unknown}; samples?: unknown};
	return typeof profile?.head?.callFrame === 'object' && Array.isArray(profile.head.children) && Array.isArray(profile.samples);
}

function profileOf(answer: unknown, method: string): SamplingProfile {
	const profile = (answer as {profile?: unknown} | undefined)?.profile;
	if (!isSamplingProfile(profile)) {
		throw new CliError(`the inspector answered ${method} with something that is not a heap profile`);
	}

	return profile;
}

function isProcessFigures(value: unknown): value is ProcessFigures {
	const figures = value as {memory?: Record<string, unknown>; pid?: unknown; uptimeSeconds?: unknown; heapLimit?: unknown} | undefined;
	return typeof figures?.pid === 'number' && typeof figures.uptimeSeconds === 'number' && ['number', 'undefined'].includes(typeof figures.heapLimit)
		&& ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'].every(field => typeof figures.memory?.[field] === 'number');
}

/** Discovers the target behind an address and opens a CDP session with it. */
export async function connect(address: InspectorAddress, options: ConnectOptions = {}): Promise<Inspector> {
	const timeoutMs = options.timeoutMs ?? 5000;
	const callTimeoutMs = options.callTimeoutMs ?? 30_000;
	const {target, others} = await discoverTarget(address, timeoutMs);
	const protocol = address.kind === 'http' ? await fetchProtocol(address, timeoutMs) : undefined;
	let client: CDP.Client;
	try {
		client = await withTimeout(
			CDP(protocol === undefined ? {target: target.webSocketDebuggerUrl, local: true} : {target: target.webSocketDebuggerUrl, protocol: protocol as CDP.Options['protocol']}),
			timeoutMs,
			'the inspector WebSocket',
		);
	} catch (error) {
		throw new CliError(`cannot open the inspector session at ${target.webSocketDebuggerUrl}: ${oneLine(error)}`);
	}

	const closeListeners: Array<(reason: string) => void> = [];
	let closed = false;
	const markClosed = (reason: string) => {
		if (closed) {
			return;
		}

		closed = true;
		for (const listener of closeListeners) {
			listener(reason);
		}
	};

	client.on('disconnect', () => {
		markClosed('the inspector connection closed');
	});

	// Closing settles every call still waiting for an answer, so that nothing waits for its deadline after that.
	const closing = new Promise<never>((_resolve, reject) => {
		closeListeners.push(reason => {
			reject(new Error(`the inspector connection closed (${reason})`));
		});
	});
	closing.catch(() => undefined);
	const send = async (method: string, params?: object, timeoutMs = callTimeoutMs): Promise<unknown> => {
		if (closed) {
			throw new Error('the inspector connection is closed');
		}

		const call = (client.send as (method: string, params?: object) => Promise<unknown>)(method, params);
		return withTimeout(Promise.race([call, closing]), timeoutMs, method);
	};

	// A connected client keeps the target from exiting: let go as soon as it wants to.
	(client.on as (event: string, listener: () => void) => void)('NodeRuntime.waitingForDisconnect', () => {
		markClosed('the target exited');
		void client.close().catch(() => undefined);
	});
	try {
		await send('NodeRuntime.enable', undefined, probeTimeoutMs);
		await send('NodeRuntime.notifyWhenWaitingForDisconnect', {enabled: true}, probeTimeoutMs);
	} catch {
		// Not a Node target (or an old one): it cannot be held open by us, so there is nothing to let go of.
	}

	return {
		target,
		otherTargets: others,
		async startSampling(samplingInterval, includeCollected = false) {
			await send('HeapProfiler.startSampling', {
				samplingInterval,
				...(includeCollected ? {includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true} : {}),
			});
		},
		async getSamplingProfile() {
			return profileOf(await send('HeapProfiler.getSamplingProfile'), 'getSamplingProfile');
		},
		async stopSampling() {
			return profileOf(await send('HeapProfiler.stopSampling'), 'stopSampling');
		},
		async getHeapUsage() {
			const usage = (await send('Runtime.getHeapUsage')) as Partial<HeapUsage>;
			if (typeof usage?.usedSize !== 'number' || typeof usage.totalSize !== 'number') {
				throw new CliError('the inspector answered getHeapUsage without sizes');
			}

			return {usedSize: usage.usedSize, totalSize: usage.totalSize};
		},
		async readProcess() {
			const answer = (await send('Runtime.evaluate', {expression: processExpression, returnByValue: true, silent: true, includeCommandLineAPI: true})) as {
				result?: {value?: unknown};
			};
			const value = answer?.result?.value;
			if (!isProcessFigures(value)) {
				throw new TypeError('process.memoryUsage() did not answer with memory figures');
			}

			return value;
		},
		async runIfWaitingForDebugger() {
			await send('Runtime.runIfWaitingForDebugger');
		},
		async takeHeapSnapshot(onChunk, onProgress) {
			const events = client as unknown as NodeJS.EventEmitter;
			const listeners: Array<[string, (params: Record<string, unknown>) => void]> = [
				['HeapProfiler.addHeapSnapshotChunk', ({chunk}) => {
					onChunk(String(chunk));
				}],
				['HeapProfiler.reportHeapSnapshotProgress', ({done, total}) => {
					onProgress(Number(total) > 0 ? Number(done) / Number(total) : 0);
				}],
			];
			for (const [event, listener] of listeners) {
				events.on(event, listener);
			}

			try {
				// A snapshot of a large heap takes minutes (666 MB took 33 s): no per-call deadline here.
				if (closed) {
					throw new Error('the inspector connection is closed');
				}

				await (client.send as (method: string, params?: object) => Promise<unknown>)('HeapProfiler.takeHeapSnapshot', {reportProgress: true});
			} finally {
				for (const [event, listener] of listeners) {
					events.off(event, listener);
				}
			}
		},
		async collectGarbage() {
			await send('HeapProfiler.collectGarbage');
		},
		onClose(listener) {
			closeListeners.push(listener);
		},
		get closed() {
			return closed;
		},
		async close() {
			if (closed) {
				return;
			}

			markClosed('leaktop detached');
			await withTimeout(client.close(), 2000, 'closing the inspector').catch(() => undefined);
		},
	};
}
