/**
 * A CDP session as leaktop uses it, over the inspector's WebSocket or carried inside a parent's session (a worker
 * thread's): calls that settle at once when it closes, events, and its end.
 */

/** `promise`, or an error naming `what` once `timeoutMs` pass without an answer. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
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

export type Channel = {
	send(method: string, params?: object, timeoutMs?: number): Promise<unknown>;
	on(event: string, listener: (params: Record<string, unknown>) => void): () => void;
	readonly closed: boolean;
	/** Marks the channel closed for `reason`, telling every listener once. */
	markClosed(reason: string): void;
	/** Listens for the close (told at once when it happened already); returns the unsubscribe. */
	onClose(listener: (reason: string) => void): () => void;
	/** Lets go of the target's session. */
	release(): Promise<void>;
};

/** What both kinds of channel share: close listeners, and calls that settle at once when the channel closes. */
export function channelState(callTimeoutMs: number) {
	const closeListeners = new Set<(reason: string) => void>();
	// Each call in flight, to be rejected when the channel closes: nothing then waits for its deadline.
	const inFlight = new Set<(error: Error) => void>();
	let closedFor: string | undefined;
	return {
		get closed() {
			return closedFor !== undefined;
		},
		markClosed(reason: string) {
			if (closedFor !== undefined) {
				return;
			}

			closedFor = reason;
			for (const reject of inFlight) {
				reject(new Error(`the inspector connection closed (${reason})`));
			}

			for (const listener of closeListeners) {
				listener(reason);
			}
		},
		/** Listens for the close (told at once when it happened already); returns the unsubscribe. */
		onClose(listener: (reason: string) => void): () => void {
			if (closedFor !== undefined) {
				const reason = closedFor;
				queueMicrotask(() => {
					listener(reason);
				});
				return () => undefined;
			}

			closeListeners.add(listener);
			return () => closeListeners.delete(listener);
		},
		async call(method: string, call: () => Promise<unknown>, timeoutMs = callTimeoutMs): Promise<unknown> {
			if (closedFor !== undefined) {
				throw new Error('the inspector connection is closed');
			}

			let reject: (error: Error) => void = () => undefined;
			const closing = new Promise<never>((_resolve, fail) => {
				reject = fail;
			});
			inFlight.add(reject);
			try {
				return await withTimeout(Promise.race([call(), closing]), timeoutMs, method);
			} finally {
				inFlight.delete(reject);
			}
		},
	};
}

/** What the parent's one dispatcher hands a worker's channel: the messages of its session, and its end. */
export type WorkerRoute = {message(text: string): void; detached(): void};

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/**
 * A worker's session, carried in its parent's: commands go out as JSON text in `sendMessageToWorker`, answers and
 * events come back in `receivedMessageFromWorker`, which the parent's one dispatcher routes here by session id.
 */
export function workerChannel(parent: Channel, sessionId: string, callTimeoutMs: number, routes: Map<string, WorkerRoute>): Channel {
	const state = channelState(callTimeoutMs);
	const pending = new Map<number, {resolve: (value: unknown) => void; reject: (error: Error) => void}>();
	const listeners = new Map<string, Set<(params: Record<string, unknown>) => void>>();
	let nextId = 0;
	routes.set(sessionId, {
		message(text) {
			let message: unknown;
			try {
				message = JSON.parse(text);
			} catch {
				return;
			}

			if (!isRecord(message)) {
				return;
			}

			if (typeof message['id'] === 'number') {
				const call = pending.get(message['id']);
				pending.delete(message['id']);
				const error = message['error'];
				if (error === undefined) {
					call?.resolve(message['result']);
				} else {
					call?.reject(new Error(isRecord(error) && typeof error['message'] === 'string' ? error['message'] : 'the worker answered with an error'));
				}
			} else if (typeof message['method'] === 'string') {
				const params = isRecord(message['params']) ? message['params'] : {};
				for (const listener of listeners.get(message['method']) ?? []) {
					listener(params);
				}
			}
		},
		detached() {
			state.markClosed('the worker ended');
		},
	});
	const offParent = parent.onClose(reason => {
		state.markClosed(reason);
	});
	state.onClose(() => {
		offParent();
		routes.delete(sessionId);
		for (const call of pending.values()) {
			call.reject(new Error('the worker\'s session closed'));
		}

		pending.clear();
	});
	return {
		get closed() {
			return state.closed;
		},
		markClosed: state.markClosed,
		onClose: state.onClose,
		async send(method, params, timeoutMs) {
			const id = ++nextId;
			return state.call(method, async () => new Promise((resolve, reject) => {
				pending.set(id, {resolve, reject});
				parent.send('NodeWorker.sendMessageToWorker', {sessionId, message: JSON.stringify({id, method, params: params ?? {}})}).catch((error: unknown) => {
					pending.delete(id);
					reject(error as Error);
				});
			}), timeoutMs).finally(() => {
				// An answer that never came (a deadline) leaves nothing behind.
				pending.delete(id);
			});
		},
		on(event, listener) {
			const set = listeners.get(event) ?? new Set();
			set.add(listener);
			listeners.set(event, set);
			return () => set.delete(listener);
		},
		async release() {
			if (!parent.closed) {
				await parent.send('NodeWorker.detach', {sessionId}, 2000).catch(() => undefined);
			}
		},
	};
}

