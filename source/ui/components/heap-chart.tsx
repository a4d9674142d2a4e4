import asciichart from 'asciichart';
import {Box, Text} from 'ink';
import {formatBytes} from '../../format.js';
import {resampleByTime} from '../../model/resample.js';
import type {Point} from '../../model/history.js';
import type {Reading} from '../../model/target.js';

type Props = {
	readonly points: readonly Point[];
	/** The heap's figures once a second; without them the chart reads the points' (one a poll). */
	readonly readings?: readonly Reading[];
	readonly width: number;
	readonly height: number;
	readonly color: boolean;
};

type Line = {readonly label: string; readonly color: string; readonly ink: string; readonly values: number[]};

const labelWidth = 9;

/** `values` spread over `length` columns, each repeated where there are fewer. */
function stretch(values: readonly number[], length: number): number[] {
	return values.length === 0 ? [] : Array.from({length}, (_, index) => values[Math.floor((index * values.length) / length)]!);
}

/** Heap used and sampled live bytes over the window (rss and external when known), sized to the terminal. */
export function HeapChart({points, readings = [], width, height, color}: Props) {
	const columns = Math.max(2, width - labelWidth - 2);
	const figures: readonly Reading[] = readings.length >= 2 ? readings : points.map(point => ({time: point.time, ...point.gauges}));
	// Every line over the whole width, however few readings there are yet (a wide terminal is not left empty), and
	// sampled bytes, which change only at a poll, over the same time axis as the readings.
	const across = (values: readonly number[]) => stretch(values, columns);
	const candidates: Line[] = [
		{label: 'heap used', color: asciichart.green, ink: 'green', values: across(resampleByTime(figures, columns, reading => reading.heapUsed))},
		{label: 'sampled', color: asciichart.cyan, ink: 'cyan', values: across(resampleByTime(points, Math.min(columns, figures.length), point => point.total))},
		{label: 'rss', color: asciichart.magenta, ink: 'magenta', values: across(resampleByTime(figures, columns, reading => reading.rss))},
		{label: 'external', color: asciichart.yellow, ink: 'yellow', values: across(resampleByTime(figures, columns, reading => reading.external))},
	];
	const lines = candidates.filter(line => line.values.length >= 2 && line.values.every(value => Number.isFinite(value)));
	if (lines.length === 0) {
		return <Text dimColor>collecting history for the chart…</Text>;
	}

	const chart = asciichart.plot(lines.map(line => line.values), {
		height: height - 2,
		min: 0,
		colors: color ? lines.map(line => line.color) : undefined,
		format: (value: number) => formatBytes(value).padStart(labelWidth),
	});
	return (
		<Box flexDirection="column">
			<Text>{chart}</Text>
			<Text wrap="truncate">
				{' '.repeat(labelWidth + 1)}
				{lines.map(line => (
					<Text key={line.label} color={color ? line.ink : undefined}>{`── ${line.label}  `}</Text>
				))}
				{points.some(point => point.gap) ? <Text dimColor>(history has a break)</Text> : null}
			</Text>
		</Box>
	);
}
