import {formatBytes} from '../format.js';

/** What a heap snapshot costs, said before the user confirms it (measured: 666 MB took 33 s on Node 20). */
export function heapSnapshotCost(heapBytes: number): string {
	const seconds = Math.max(1, Math.round((heapBytes / 1e6) * 0.05));
	return `pauses the target about ${seconds} s and needs up to ${formatBytes(heapBytes)} more memory in it, and as much disk`;
}

/** What a forced full GC costs (about 1 ms per MB of live heap, measured). */
export function collectGarbageCost(heapBytes: number): string {
	return `pauses the target about ${Math.max(1, Math.round(heapBytes / 1e6))} ms`;
}
