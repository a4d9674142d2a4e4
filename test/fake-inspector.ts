import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {WebSocketServer, type WebSocket} from 'ws';

/**
 * A hostile or broken inspector for the tests of bad input: it serves /json/list and a WebSocket, and each
 * behaviour answers in its own wrong way. Only for what a real Node target cannot be made to do.
 */
export type Behaviour =
	| 'garbage-frames'
	| 'wrong-profile'
	| 'missing-fields'
	| 'enormous-list'
	| 'http-silent'
	| 'ws-silent'
	/** A target whose worker-thread traffic is malformed in every way the protocol's JSON allows. */
	| 'hostile-workers';

export type FakeInspector = {readonly port: number; close(): Promise<void>};

function list(port: number, behaviour: Behaviour): string {
	if (behaviour === 'missing-fields') {
		return JSON.stringify([{id: 'x', type: 'node'}, {title: 42}, null, 'nonsense']);
	}

	const title = behaviour === 'enormous-list' ? 'x'.repeat(4 * 1024 * 1024) : 'fake';
	return JSON.stringify([{id: 'fake', type: 'node', title, url: 'file:///fake.js', webSocketDebuggerUrl: `ws://127.0.0.1:${port}/fake`}]);
}

function answer(socket: WebSocket, behaviour: Behaviour, message: string): void {
	let request: {id?: number; method?: string};
	try {
		request = JSON.parse(message) as {id?: number; method?: string};
	} catch {
		return;
	}

	switch (behaviour) {
		case 'garbage-frames': {
			socket.send('}{ this is not JSON');
			socket.send(JSON.stringify({id: request.id, result: 'x'.repeat(2 * 1024 * 1024)}));
			break;
		}

		case 'wrong-profile': {
			const result = request.method === 'HeapProfiler.getSamplingProfile'
				? {profile: {head: 'nope', samples: 7}}
				: request.method === 'Runtime.getHeapUsage' ? {usedSize: 'many'} : {};
			socket.send(JSON.stringify({id: request.id, result}));
			break;
		}

		case 'ws-silent': {
			break;
		}

		case 'hostile-workers': {
			hostileWorkers(socket, request as {id: number; method?: string; params?: {message?: string}});
			break;
		}

		default: {
			socket.send(JSON.stringify({id: request.id, result: {}}));
		}
	}
}

const emptyProfile = {head: {callFrame: {functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1}, selfSize: 0, id: 1, children: []}, samples: []};
const started = new WeakSet<WebSocket>();

/**
 * A sampler that works, and worker-thread events that do not: events without params, workers without info,
 * messages that are not JSON, `null`, an error that is `null`, a detach of a session never attached, a session
 * announced twice; answers to a worker's calls that are garbage.
 */
function hostileWorkers(socket: WebSocket, request: {id: number; method?: string; params?: {message?: string}}): void {
	const send = (value: unknown) => {
		socket.send(JSON.stringify(value));
	};

	switch (request.method) {
		case 'HeapProfiler.startSampling': {
			started.add(socket);
			send({id: request.id, result: {}});
			break;
		}

		case 'HeapProfiler.getSamplingProfile': {
			send(started.has(socket) ? {id: request.id, result: {profile: emptyProfile}} : {id: request.id, error: {code: -32_000, message: 'Sampling heap profiler is not started.'}});
			break;
		}

		case 'Runtime.getHeapUsage': {
			send({id: request.id, result: {usedSize: 1e6, totalSize: 2e6}});
			break;
		}

		case 'NodeWorker.enable': {
			send({id: request.id, result: {}});
			for (const params of [undefined, null, {}, {sessionId: '1', workerInfo: null}, {sessionId: '1', workerInfo: {workerId: 1}, waitingForDebugger: true}]) {
				send({method: 'NodeWorker.attachedToWorker', params});
			}

			for (const message of [undefined, 42, 'not json', 'null', '{"id":1,"error":null}', '{"id":"x"}', '{"method":7}']) {
				send({method: 'NodeWorker.receivedMessageFromWorker', params: {sessionId: '1', message}});
			}

			send({method: 'NodeWorker.detachedFromWorker', params: null});
			send({method: 'NodeWorker.detachedFromWorker', params: {sessionId: 'never'}});
			break;
		}

		case 'NodeWorker.sendMessageToWorker': {
			send({id: request.id, result: {}});
			let inner: {id?: unknown} = {};
			try {
				inner = JSON.parse(request.params?.message ?? '{}') as {id?: unknown};
			} catch {}

			send({method: 'NodeWorker.receivedMessageFromWorker', params: {sessionId: '1', message: JSON.stringify({id: inner.id, result: {profile: 'nope', usedSize: 'many'}})}});
			break;
		}

		default: {
			send({id: request.id, result: {}});
		}
	}
}

export async function startFakeInspector(behaviour: Behaviour): Promise<FakeInspector> {
	const server = createServer((request: IncomingMessage, response: ServerResponse) => {
		if (behaviour === 'http-silent') {
			return;
		}

		const {port} = server.address() as AddressInfo;
		response.setHeader('content-type', 'application/json');
		response.end(request.url === '/json/protocol' ? '{"domains": "no"}' : list(port, behaviour));
	});
	const sockets = new WebSocketServer({server});
	sockets.on('connection', socket => {
		socket.on('message', data => {
			answer(socket, behaviour, String(data));
		});
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		port: (server.address() as AddressInfo).port,
		async close() {
			for (const client of sockets.clients) {
				client.terminate();
			}

			sockets.close();
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}
