/** Anything read over time: history points, heap readings. */
type Timed = {readonly time: number};

const columnBounds = new WeakMap<readonly Timed[], Map<number, Int32Array>>();

/**
 * Where each of `count` equal slices of the window's time starts in `points` (plus the end), computed once per
 * window and width: every sparkline of a frame cuts the same points the same way.
 */
function boundsOf(points: readonly Timed[], count: number): Int32Array {
	let byCount = columnBounds.get(points);
	if (byCount === undefined) {
		byCount = new Map();
		columnBounds.set(points, byCount);
	}

	let bounds = byCount.get(count);
	if (bounds === undefined) {
		bounds = new Int32Array(count + 1);
		const first = points[0]!.time;
		const span = points.at(-1)!.time - first;
		let index = 0;
		for (let column = 0; column < count; column++) {
			bounds[column] = index;
			const end = first + ((span * (column + 1)) / count);
			while (index < points.length && (column === count - 1 || points[index]!.time < end)) {
				index++;
			}
		}

		bounds[count] = points.length;
		byCount.set(count, bounds);
	}

	return bounds;
}

/**
 * A figure over the window in `columns` equal slices of time (fewer with fewer points), each the mean of the
 * points in it. By time, not by point: the history keeps recent minutes at full resolution and older hours
 * coarser, so equal slices of points would give the last minutes most of a day's chart. A slice with no point
 * (polls stretched by the governor, a target restarting) repeats the one before. At most `perColumn` points,
 * spread evenly, are read in a slice: a day is ~2,600 points, and a frame draws dozens of sparklines.
 */
export function resampleByTime<Reading extends Timed>(points: readonly Reading[], columns: number, read: (point: Reading) => number, perColumn = 16): number[] {
	const count = Math.min(columns, points.length);
	if (count <= 0) {
		return [];
	}

	const bounds = boundsOf(points, count);
	const values: number[] = [];
	for (let column = 0; column < count; column++) {
		const from = bounds[column]!;
		const length = bounds[column + 1]! - from;
		if (length === 0) {
			values.push(values.at(-1) ?? 0);
			continue;
		}

		const reads = Math.min(length, perColumn);
		let sum = 0;
		for (let step = 0; step < reads; step++) {
			sum += read(points[from + Math.floor((step * length) / reads)]!);
		}

		values.push(sum / reads);
	}

	return values;
}
