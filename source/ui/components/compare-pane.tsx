import {Box, Text} from 'ink';
import {compareSortLabels, describeHeavy, type CompareSortKey, type Comparison, type ComparisonRow} from '../../model/compare.js';
import {fit, formatBytes} from '../../format.js';
import {siteLocation} from '../../model/location.js';
import type {Metric} from '../../model/snapshot.js';
import {DataTable, type Column} from './data-table.js';

type Props = {
	readonly comparison: Comparison;
	readonly metric: Metric;
	readonly sort: CompareSortKey;
	readonly selected: number;
	readonly focused: boolean;
	readonly width: number;
	/** Lines available, title and column titles included. */
	readonly height: number;
	readonly cwd: string;
	readonly color: boolean;
	readonly locate?: (site: ComparisonRow) => string;
};

function formatRatio(ratio: number): string {
	if (!Number.isFinite(ratio)) {
		return 'new';
	}

	return ratio >= 99.5 ? `×${ratio.toFixed(0)}` : `×${ratio.toFixed(ratio >= 9.95 ? 1 : 2)}`;
}

function signed(bytes: number): string {
	return `${bytes > 0 ? '+' : ''}${formatBytes(bytes)}`;
}

const numbers = {mean: 9, top: 9, delta: 10, ratio: 7, heavy: 5};

/**
 * The percentile comparison: which sites hold more in the heaviest snapshots than on average (Cloud Profiler's
 * "compare all weight vs. the top 1 percentile"), in the metric being measured.
 */
export function ComparePane({comparison, metric, sort, selected, focused, width, height, cwd, color, locate = row => siteLocation(row, cwd)}: Props) {
	const fixed = Object.values(numbers).reduce((sum, value) => sum + value + 1, 0) + 2;
	const nameWidth = Math.max(8, Math.floor((width - fixed) * 0.5));
	const locationWidth = Math.max(6, width - fixed - nameWidth - 1);
	const what = metric === 'allocated' ? 'allocated bytes/s' : 'retained bytes';
	// The sort is what the user steers: it comes before the figures a narrow pane cuts.
	const title = `COMPARE ${what} · sort ${compareSortLabels[sort]}: ${describeHeavy(comparison)}, weight ≥ ${formatBytes(comparison.heavy.threshold)}`;
	const figure = (heading: string, columnWidth: number, value: (row: ComparisonRow) => string): Column<ComparisonRow> => ({title: heading, width: columnWidth, align: 'right', value});
	const columns: Array<Column<ComparisonRow>> = [
		{title: 'FUNCTION', width: nameWidth, value: row => row.functionName},
		{title: 'LOCATION', width: locationWidth, cut: 'location', value: locate},
		figure('MEAN', numbers.mean, row => formatBytes(row.meanBytes)),
		figure('TOP MEAN', numbers.top, row => formatBytes(row.meanBytesTop)),
		figure('DELTA', numbers.delta, row => signed(row.deltaBytes)),
		figure('RATIO', numbers.ratio, row => formatRatio(row.ratio)),
		figure('IN', numbers.heavy, row => String(row.heavyCount)),
	];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate" bold={focused} color={color && focused ? 'cyan' : undefined}>{fit(title, width)}</Text>
			<DataTable
				rows={comparison.rows} columns={columns} rowKey={row => row.key} visible={Math.max(1, height - 3)} selected={selected} focused={focused}
				empty="no snapshots in the window yet" style={(row, index) => ({color: color && row.deltaBytes > 0 && index < 3 ? 'red' : undefined})}
			/>
		</Box>
	);
}
