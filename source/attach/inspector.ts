import CDP from 'chrome-remote-interface';
import type {InspectorAddress} from './address.js';
import {discoverTarget, fetchProtocol, type ListedTarget} from './discovery.js';
import {channelState, isRecord, withTimeout, workerChannel, type Channel, type WorkerRoute} from './channel.js';
import {CliError, oneLine} from '../errors.js';
import type {SamplingProfile} from '../model/profile.js';
import type {HeapUsage, ProcessFigures} from '../model/snapshot.js';

/**
 * The only code leaktop ever evaluates in a target: it reads memory figures and changes nothing. The heap's
 * limit (what "JavaScript heap out of memory" is measured against; a worker's own `resourceLimits`) comes from
 * `v8`, through `process.getBuiltinModule` (Node 20.16+, in workers too), else the `require` the console's
 * command-line API lends; where neither answers (a process still held at its first line) it is left out.
 */
export const processExpression = '({memory: process.memoryUsage(), pid: process.pid, uptimeSeconds: process.uptime(), heapLimit: (() => { '
	+ 'try { return (process.getBuiltinModule?.(\'v8\') ?? require(\'v8\')).getHeapStatistics().heap_size_limit; } catch { return undefined; } })()})';

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
	/**
	 * Attaches to the target's worker threads, those running and those to come, each its own isolate with its
	 * own inspector; `pauseNew` holds a new worker at its first line until `runIfWaitingForDebugger`.
	 */
	watchWorkers(pauseNew: boolean, onWorker: (worker: AttachedWorker) => void): Promise<void>;
	readonly closed: boolean;
	close(): Promise<void>;
};

/** A worker thread of an attached target, with the inspector of its own isolate. */
export type AttachedWorker = {
	/** The worker's threadId in its process. */
	readonly workerId: string;
	readonly title: string;
	readonly url: string;
	readonly waitingForDebugger: boolean;
	readonly inspector: Inspector;
};

export type ConnectOptions = {readonly timeoutMs?: number; readonly callTimeoutMs?: number};

/** How long the set-up calls that any live Node answers at once may take. */
const probeTimeoutMs = 3000;

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

/** The protocol as one session sees it: the process's WebSocket, or a worker's session carried over it. */
function clientChannel(client: CDP.Client, callTimeoutMs: number): Channel {
	const state = channelState(callTimeoutMs);
	const events = client as unknown as NodeJS.EventEmitter;
	client.on('disconnect', () => {
		state.markClosed('the inspector connection closed');
	});
	return {
		get closed() {
			return state.closed;
		},
		markClosed: state.markClosed,
		onClose: state.onClose,
		async send(method, params, timeoutMs) {
			return state.call(method, async () => (client.send as (method: string, params?: object) => Promise<unknown>)(method, params), timeoutMs);
		},
		on(event, listener) {
			events.on(event, listener);
			return () => events.off(event, listener);
		},
		async release() {
			await withTimeout(client.close(), 2000, 'closing the inspector').catch(() => undefined);
		},
	};
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

	return inspectorOver(clientChannel(client, callTimeoutMs), target, others, callTimeoutMs);
}

async function inspectorOver(channel: Channel, target: ListedTarget, others: number, callTimeoutMs: number): Promise<Inspector> {
	// The command-line API lends `require` for the heap's limit where `process.getBuiltinModule` is missing; in a
	// worker thread that is ending, Node 20 crashes with SIGSEGV when an evaluation installs it (3 of 5 runs of 12
	// short-lived workers; 0 of 4 without), so a worker is never asked with it.
	const commandLineApi = target.type !== 'worker';
	const {send} = channel;
	// A connected client keeps the target from exiting: let go as soon as it wants to. (Its heap is torn down by
	// then: a last profile read here held no live sample in 8 of 8 ending workers, so none is read.)
	channel.on('NodeRuntime.waitingForDisconnect', () => {
		channel.markClosed(target.type === 'worker' ? 'the worker ended' : 'the target exited');
		void channel.release();
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
		// No `stackDepth` (V8 ≥ 14.2, Node 26): asked for 256, a profile 200 calls deep crashed Node 26.12 when it was
		// read (a failed check in V8's CBOR-to-JSON conversion, whose nesting limit a tree that deep passes). V8's
		// default of 128 frames stays under it.
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

			const optional = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);
			const backingStorageSize = optional(usage.backingStorageSize);
			const embedderHeapUsedSize = optional(usage.embedderHeapUsedSize);
			return {
				usedSize: usage.usedSize, totalSize: usage.totalSize,
				...(backingStorageSize === undefined ? {} : {backingStorageSize}), ...(embedderHeapUsedSize === undefined ? {} : {embedderHeapUsedSize}),
			};
		},
		async readProcess() {
			const answer = (await send('Runtime.evaluate', {expression: processExpression, returnByValue: true, silent: true, includeCommandLineAPI: commandLineApi})) as {
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
			const off = [
				channel.on('HeapProfiler.addHeapSnapshotChunk', ({chunk}) => {
					onChunk(String(chunk));
				}),
				channel.on('HeapProfiler.reportHeapSnapshotProgress', ({done, total}) => {
					onProgress(Number(total) > 0 ? Number(done) / Number(total) : 0);
				}),
			];
			try {
				// A snapshot of a large heap takes minutes (666 MB took 33 s): no per-call deadline here.
				await send('HeapProfiler.takeHeapSnapshot', {reportProgress: true}, 24 * 3600 * 1000);
			} finally {
				for (const stop of off) {
					stop();
				}
			}
		},
		async collectGarbage() {
			await send('HeapProfiler.collectGarbage');
		},
		onClose(listener) {
			channel.onClose(listener);
		},
		async watchWorkers(pauseNew, onWorker) {
			// One dispatcher for every worker's messages: a pool of many threads adds no listener per thread.
			const routes = new Map<string, WorkerRoute>();
			channel.on('NodeWorker.receivedMessageFromWorker', params => {
				const route = routes.get(String(params?.['sessionId']));
				if (route !== undefined && typeof params['message'] === 'string') {
					route.message(params['message']);
				}
			});
			channel.on('NodeWorker.detachedFromWorker', params => {
				routes.get(String(params?.['sessionId']))?.detached();
			});
			channel.on('NodeWorker.attachedToWorker', params => {
				const info = isRecord(params?.['workerInfo']) ? params['workerInfo'] : {};
				const sessionId = String(params?.['sessionId']);
				if (routes.has(sessionId)) {
					return;
				}

				const worker = workerChannel(channel, sessionId, callTimeoutMs, routes);
				const workerId = String(info['workerId'] ?? sessionId);
				const listed = {id: `worker-${workerId}`, type: 'worker', title: String(info['title'] ?? '').slice(0, 500), url: String(info['url'] ?? '').slice(0, 2000), webSocketDebuggerUrl: ''};
				void inspectorOver(worker, listed, 0, callTimeoutMs).then(inspector => {
					// One that ended while its session was being set up is not announced: it would never end.
					if (!inspector.closed) {
						onWorker({workerId, title: listed.title, url: listed.url, waitingForDebugger: params['waitingForDebugger'] === true, inspector});
					}
				});
			});
			await send('NodeWorker.enable', {waitForDebuggerOnStart: pauseNew}, probeTimeoutMs);
		},
		get closed() {
			return channel.closed;
		},
		async close() {
			if (channel.closed) {
				return;
			}

			channel.markClosed('leaktop detached');
			await channel.release();
		},
	};
}
