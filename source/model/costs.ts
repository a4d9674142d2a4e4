import {formatBytes} from '../format.js';

/**
 * What a heap snapshot costs, said before the user confirms it: measured on Node 20 between 0.05 s per MB of
 * heap (666 MB in 33 s) and 0.15 s per MB (a busy 133 MB app in 20 s), so the range is said.
 */
export function heapSnapshotCost(heapBytes: number): string {
	const megabytes = heapBytes / 1e6;
	const low = Math.max(1, Math.round(megabytes * 0.05));
	const high = Math.max(low + 1, Math.round(megabytes * 0.15));
	return `pauses ~${low}–${high} s, +${formatBytes(heapBytes)} memory and disk`;
}

/** What a forced full GC costs (about 1 ms per MB of live heap, measured). */
export function collectGarbageCost(heapBytes: number): string {
	return `pauses ~${Math.max(1, Math.round(heapBytes / 1e6))} ms`;
}
