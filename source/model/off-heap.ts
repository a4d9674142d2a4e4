import type {Point} from './history.js';

/** How much faster than the JS heap rss or external memory must grow before the growth is called off-heap. */
const dominance = 4;
const minimumGrowth = 8 * 1024 * 1024;

function change(points: readonly Point[], read: (point: Point) => number): number {
	const first = read(points[0]!);
	const last = read(points.at(-1)!);
	return Number.isFinite(first) && Number.isFinite(last) ? last - first : Number.NaN;
}

/**
 * How much the committed heaps of a process's worker threads grew between two times: each is an isolate of its
 * own, with a heap of its own, but all of them are in the process's rss.
 */
export function workersHeapGrowth(workers: ReadonlyArray<{readonly readings: ReadonlyArray<{readonly time: number; readonly heapTotal: number}>}>, from: number, to: number): number {
	let grown = 0;
	for (const {readings} of workers) {
		const inside = readings.filter(reading => reading.time >= from && reading.time <= to);
		if (inside.length >= 2) {
			grown += Math.max(0, inside.at(-1)!.heapTotal - inside[0]!.heapTotal);
		}
	}

	return grown;
}

/**
 * A plain sentence when memory grows outside the JS heap (Buffers, native modules) while the sampled heap is
 * flat: there the sampler sees no allocation site, and the table cannot show the culprit. `workersGrowth`: what
 * the heaps of the process's workers grew meanwhile (in its rss, not in its heap).
 */
export function offHeapHint(points: readonly Point[], workersGrowth = 0): string | undefined {
	if (points.length < 3) {
		return undefined;
	}

	const heap = Math.max(0, change(points, point => point.total), change(points, point => point.gauges.heapUsed));
	const external = change(points, point => point.gauges.external);
	const rss = change(points, point => point.gauges.rss);
	const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
	if (external >= minimumGrowth && external > dominance * heap) {
		return `external memory grew ${mb(external)} while the JS heap grew ${mb(heap)}: the growth is outside the JS heap (Buffers, ArrayBuffers, native modules), where allocation sites can't be seen`;
	}

	// rss holds the heap's committed pages too, which grow when V8 expands the heap for a spike.
	const committed = Math.max(heap, change(points, point => point.gauges.heapTotal)) + workersGrowth;
	if (rss >= minimumGrowth && rss > dominance * committed) {
		return `rss grew ${mb(rss)} while the JS heap grew ${mb(heap)}: the growth is outside the JS heap (native modules, Buffers, the allocator), where allocation sites can't be seen`;
	}

	return undefined;
}
