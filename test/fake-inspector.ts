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
	| 'ws-silent';

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

		default: {
			socket.send(JSON.stringify({id: request.id, result: {}}));
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
