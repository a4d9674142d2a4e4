import {createWriteStream, mkdirSync, statfsSync} from 'node:fs';
import {dirname} from 'node:path';
import {CliError, oneLine} from '../errors.js';
import {formatBytes} from '../format.js';
import type {Inspector} from '../attach/inspector.js';

/**
 * Streams a heap snapshot of the target straight into `path`, chunk by chunk, never holding it in memory.
 * Refuses, before asking the target for anything, when the disk has less free space than the heap's size.
 */
export async function writeHeapSnapshot(inspector: Pick<Inspector, 'takeHeapSnapshot'>, path: string, heapBytes: number, onProgress: (share: number) => void): Promise<number> {
	let free: number;
	try {
		mkdirSync(dirname(path), {recursive: true});
		const stats = statfsSync(dirname(path));
		free = stats.bavail * stats.bsize;
	} catch (error) {
		throw new CliError(`cannot write a heap snapshot in ${dirname(path)}: ${oneLine(error)}`);
	}

	if (free < heapBytes) {
		throw new CliError(`only ${formatBytes(free)} free in ${dirname(path)}; a snapshot of a ${formatBytes(heapBytes)} heap needs about as much: free some space or pass --export <dir> elsewhere`);
	}

	const file = createWriteStream(path, {flags: 'wx'});
	const opened = new Promise<void>((resolve, reject) => {
		file.once('open', () => resolve());
		file.once('error', reject);
	});
	await opened.catch((error: unknown) => {
		throw new CliError(`cannot write ${path}: ${oneLine(error)}`);
	});
	let bytes = 0;
	try {
		await inspector.takeHeapSnapshot(chunk => {
			bytes += Buffer.byteLength(chunk);
			file.write(chunk);
		}, onProgress);
	} finally {
		await new Promise<void>((resolve, reject) => {
			file.end((error?: Error | null) => (error ? reject(error) : resolve()));
		});
	}

	return bytes;
}
