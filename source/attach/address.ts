import {lookup} from 'node:dns/promises';
import {isIP} from 'node:net';
import {CliError} from '../errors.js';

/** Where an inspector listens: an HTTP endpoint to discover targets from, or a WebSocket URL to use as is. */
export type InspectorAddress =
	| {readonly kind: 'http'; readonly host: string; readonly port: number}
	| {readonly kind: 'ws'; readonly host: string; readonly port: number; readonly url: string};

function parsePort(text: string, input: string): number {
	const port = Number(text);
	if (!/^\d+$/.test(text) || port < 1 || port > 65_535) {
		throw new CliError(`--inspect ${input}: the port must be a number from 1 to 65535`);
	}

	return port;
}

/** Parses `--inspect`: `port`, `host:port`, `[v6]:port`, `http://host:port` or `ws://host:port/uuid`. */
export function parseInspectAddress(input: string): InspectorAddress {
	const text = input.trim();
	if (/^\d+$/.test(text)) {
		return {kind: 'http', host: '127.0.0.1', port: parsePort(text, input)};
	}

	if (/^(wss?|https?):\/\//i.test(text)) {
		let url: URL;
		try {
			url = new URL(text);
		} catch {
			throw new CliError(`--inspect ${input}: not a valid URL`);
		}

		if (url.protocol === 'https:' || url.protocol === 'wss:') {
			throw new CliError(`--inspect ${input}: Node's inspector speaks plain http/ws; use an SSH tunnel for transport security`);
		}

		const host = url.hostname.replace(/^\[|\]$/g, '');
		const port = url.port === '' ? 80 : parsePort(url.port, input);
		return url.protocol === 'ws:' ? {kind: 'ws', host, port, url: text} : {kind: 'http', host, port};
	}

	const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
	if (match === null) {
		throw new CliError(`--inspect ${input}: expected a port, host:port, http://host:port or ws://host:port/id`);
	}

	return {kind: 'http', host: match[1] ?? match[2]!, port: parsePort(match[3]!, input)};
}

export function isLoopback(ip: string): boolean {
	return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/**
 * Resolves the address's host to an IP literal: Node's inspector rejects any other Host header
 * (DNS-rebinding protection). Refuses non-loopback addresses unless allowed, before any traffic to them.
 */
export async function resolveAddress(address: InspectorAddress, allowRemote: boolean): Promise<InspectorAddress> {
	let ip = address.host;
	if (isIP(ip) === 0) {
		try {
			ip = (await lookup(address.host)).address;
		} catch {
			throw new CliError(`cannot resolve host "${address.host}"`);
		}
	}

	if (!allowRemote && !isLoopback(ip)) {
		throw new CliError(
			`refusing to attach to ${address.host}${ip === address.host ? '' : ` (${ip})`}: it is not a loopback address, and an inspector port lets anyone who reaches it run code. `
			+ `Tunnel it instead (ssh -L 9229:127.0.0.1:9229 host, then --inspect 9229), or pass --allow-remote.`,
		);
	}

	if (address.kind === 'ws') {
		const url = new URL(address.url);
		url.hostname = isIP(ip) === 6 ? `[${ip}]` : ip;
		return {kind: 'ws', host: ip, port: address.port, url: url.toString()};
	}

	return {...address, host: ip};
}

export function hostPort(host: string, port: number): string {
	return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
