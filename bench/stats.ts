/** Median and spread of repeated measurements, as the bench reports them. */
export type Spread = {readonly median: number; readonly min: number; readonly max: number; readonly runs: number};

export function spread(values: readonly number[]): Spread {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = sorted.length >> 1;
	const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
	return {median, min: sorted[0]!, max: sorted.at(-1)!, runs: sorted.length};
}

export function formatSpread({median, min, max, runs}: Spread, unit: string, digits = 1): string {
	const format = (value: number) => value.toFixed(digits);
	return runs === 1 ? `${format(median)} ${unit}` : `${format(median)} ${unit} (${format(min)}–${format(max)}, n=${runs})`;
}

/** Runs `measure` `runs` times and returns the spread of what it returned. */
export async function repeat(runs: number, measure: () => number | Promise<number>): Promise<Spread> {
	const values: number[] = [];
	for (let run = 0; run < runs; run++) {
		values.push(await measure());
	}

	return spread(values);
}

/** One line of the results table: what was measured, the figure, the budget and whether it was met. */
export type Row = {readonly what: string; readonly figure: string; readonly budget: string; readonly met: boolean | undefined};

export function table(rows: readonly Row[]): string {
	const lines = ['| what | figure | budget | met |', '| --- | --- | --- | --- |'];
	for (const row of rows) {
		lines.push(`| ${row.what} | ${row.figure} | ${row.budget} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |`);
	}

	return lines.join('\n');
}
