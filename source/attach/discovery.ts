import {get} from 'node:http';
import {hostPort, type InspectorAddress} from './address.js';
import {CliError} from '../errors.js';

/** One entry of the inspector's `/json/list`. */
export type ListedTarget = {
	readonly id: string;
	readonly type: string;
	readonly title: string;
	readonly url: string;
	readonly webSocketDebuggerUrl: string;
};

const maxListBytes = 1024 * 1024;
const maxProtocolBytes = 16 * 1024 * 1024;

/** GETs a JSON document with a deadline and a size cap, so a hostile or stalled server cannot hang or flood us. */
function getJson(host: string, port: number, path: string, maxBytes: number, timeoutMs: number): Promise<unknown> {
	const where = `http://${hostPort(host, port)}${path}`;
	return new Promise((resolve, reject) => {
		const request = get({host, port, path, timeout: timeoutMs, headers: {host: hostPort(host, port)}}, response => {
			if (response.statusCode !== 200) {
				response.resume();
				reject(new CliError(`${where} answered HTTP ${response.statusCode}: not a Node inspector`));
				return;
			}

			const chunks: Buffer[] = [];
			let size = 0;
			response.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > maxBytes) {
					request.destroy();
					reject(new CliError(`${where} sent more than ${maxBytes} bytes: not a Node inspector`));
					return;
				}

				chunks.push(chunk);
			});
			response.on('end', () => {
				try {
					resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
				} catch {
					reject(new CliError(`${where} did not answer JSON: not a Node inspector`));
				}
			});
			response.on('error', () => {
				reject(new CliError(`${where}: the connection broke while reading the answer`));
			});
		});
		request.on('timeout', () => {
			request.destroy();
			reject(new CliError(`${where} did not answer within ${timeoutMs} ms`));
		});
		request.on('error', (error: NodeJS.ErrnoException) => {
			const reason = error.code === 'ECONNREFUSED' ? 'connection refused (is the process running with --inspect?)' : error.code ?? error.message;
			reject(new CliError(`cannot reach an inspector at ${hostPort(host, port)}: ${reason}`));
		});
	});
}

function isTargetInfo(value: unknown): value is ListedTarget {
	if (typeof value !== 'object' || value === null) {
		return false;
	}

	const entry = value as Record<string, unknown>;
	const url = entry['webSocketDebuggerUrl'];
	return typeof url === 'string' && url.startsWith('ws://') && URL.canParse(url);
}

/** Reads `/json/list` and picks the first Node target; `others` counts the rest, so the UI can say which was taken. */
export async function discoverTarget(address: InspectorAddress, timeoutMs = 3000): Promise<{target: ListedTarget; others: number}> {
	if (address.kind === 'ws') {
		// The list, when the server has one, names the target; the WebSocket URL alone is enough to attach.
		const listed = await listTargets(address, timeoutMs).catch(() => []);
		const path = new URL(address.url).pathname;
		const entry = listed.find(target => new URL(target.webSocketDebuggerUrl).pathname === path);
		return {target: {id: entry?.id ?? '', type: 'node', title: entry?.title ?? address.url, url: entry?.url ?? '', webSocketDebuggerUrl: address.url}, others: 0};
	}

	const targets = await listTargets(address, timeoutMs);
	const target = targets.find(entry => entry.type === 'node') ?? targets[0];
	if (target === undefined) {
		throw new CliError(`the inspector at ${hostPort(address.host, address.port)} lists no debuggable target (is another debugger attached?)`);
	}

	// Node advertises its own address in the URL; keep the one we resolved (it may be tunnelled).
	const url = new URL(target.webSocketDebuggerUrl);
	url.host = hostPort(address.host, address.port);
	return {target: {...target, webSocketDebuggerUrl: url.toString()}, others: targets.length - 1};
}

async function listTargets(address: InspectorAddress, timeoutMs: number): Promise<ListedTarget[]> {
	const list = await getJson(address.host, address.port, '/json/list', maxListBytes, timeoutMs);
	if (!Array.isArray(list)) {
		throw new CliError(`http://${hostPort(address.host, address.port)}/json/list is not a target list: not a Node inspector`);
	}

	return list.filter(entry => isTargetInfo(entry)).map(entry => ({
		id: String(entry.id ?? ''),
		type: String(entry.type ?? ''),
		title: String(entry.title ?? '').slice(0, 500),
		url: String(entry.url ?? '').slice(0, 2000),
		webSocketDebuggerUrl: entry.webSocketDebuggerUrl,
	}));
}

/** The protocol the target serves, so the client knows Node's own domains; undefined when it has none. */
export async function fetchProtocol(address: InspectorAddress, timeoutMs = 3000): Promise<object | undefined> {
	try {
		const protocol = await getJson(address.host, address.port, '/json/protocol', maxProtocolBytes, timeoutMs);
		const domains = (protocol as {domains?: unknown}).domains;
		return Array.isArray(domains) ? (protocol as object) : undefined;
	} catch {
		return undefined;
	}
}
