import {Box} from 'ink';
import {formatBytes, formatPercent, sparkline} from '../../format.js';
import {siteLocation} from '../../model/location.js';
import {sparkValues, type SiteRow} from '../../model/ranking.js';
import type {Metric} from '../../model/snapshot.js';
import type {Point} from '../../model/history.js';
import {ageBandCount} from '../../model/analyses/survivor-age.js';
import {ageHistogram, verdictCell} from './age.js';
import {DataTable, markerWidth, type Column} from './data-table.js';

type Props = {
	readonly rows: readonly SiteRow[];
	readonly points: readonly Point[];
	readonly selected: number;
	/** Beside the comparison, only the pane with the keys shows its selection highlighted (and `›`). */
	readonly focused?: boolean;
	readonly width: number;
	/** Lines available, the column titles included. */
	readonly height: number;
	readonly cwd: string;
	readonly color: boolean;
	/** Allocation rates have no growth or verdict; the bytes column says which metric it holds. */
	readonly metric?: Metric;
	/** Shows each site's change since the baseline. */
	readonly baseline?: boolean;
	/** How a site's location reads (source-mapped or not); the generated location by default. */
	readonly locate?: (site: SiteRow) => string;
	/** Said when there are no rows. */
	readonly empty?: string;
};

type Columns = {
	/** The selection's column, drawn by the table (markerWidth). */
	readonly marker: number;
	readonly rank: number;
	readonly name: number;
	readonly location: number;
	readonly live: number;
	readonly share: number;
	readonly samples: number;
	readonly growth: number;
	readonly since: number;
	/** Survivors by allocation age, oldest left. */
	readonly age: number;
	readonly trend: number;
};

/** Column widths for a terminal width: the fixed columns first, the rest split between function and location. */
function tableColumns(width: number, baseline = false): Columns {
	const trend = width >= 140 ? 24 : width >= 100 ? 16 : 8;
	const since = baseline ? 10 : 0;
	// Below 100 columns the sample count gives way to the age histogram, whose bands then merge in pairs.
	const samples = width >= 100 ? 7 : 0;
	const age = width >= 100 ? ageBandCount : ageBandCount / 2;
	const fixed = {marker: markerWidth, rank: 3, live: 9, share: 6, samples, growth: 11, since, age, trend};
	const shown = Object.values(fixed).filter(value => value > 0).length + 2;
	const used = Object.values(fixed).reduce((sum, value) => sum + value, 0) + shown;
	const rest = Math.max(10, width - used);
	const name = Math.max(5, Math.floor(rest * 0.45));
	return {...fixed, name, location: rest - name};
}

const order: ReadonlyArray<Exclude<keyof Columns, 'marker'>> = ['rank', 'name', 'location', 'live', 'share', 'samples', 'growth', 'since', 'age', 'trend'];
const rightAligned = new Set<keyof Columns>(['rank', 'live', 'share', 'samples', 'growth', 'since']);

/** The allocation sites, a page around the selection, with live bytes, share, growth and a sparkline. */
export function SitesTable({rows, points, selected, focused = true, width, height, cwd, color, metric = 'retained', baseline = false, locate = row => siteLocation(row, cwd), empty = 'no allocation sampled yet'}: Props) {
	const widths = tableColumns(width, baseline);
	const retained = metric === 'retained';
	const values: Record<Exclude<keyof Columns, 'marker'>, {readonly title: string; readonly value: (row: SiteRow, index: number) => string}> = {
		rank: {title: '#', value: (_row, index) => String(index + 1)},
		name: {title: 'FUNCTION', value: row => `${row.suspect ? '▲ ' : ''}${row.functionName}`},
		location: {title: 'LOCATION', value: locate},
		live: {title: retained ? 'LIVE' : 'ALLOC/s', value: row => formatBytes(row.liveBytes)},
		share: {title: 'SHARE', value: row => formatPercent(row.share)},
		samples: {title: 'SAMPLES', value: row => String(row.samples)},
		growth: {title: 'GROWTH', value: row => (retained ? verdictCell(row) : '—')},
		since: {title: 'Δ BASE', value: row => (row.sinceBaseline === undefined ? '' : `${row.sinceBaseline > 0 ? '+' : ''}${formatBytes(row.sinceBaseline)}`)},
		age: {title: 'AGE', value: row => (retained && row.age !== undefined ? ageHistogram(row.age.bands, widths.age) : '')},
		trend: {title: 'TREND', value: row => sparkline(sparkValues(points, row.id, widths.trend))},
	};
	const columns: Array<Column<SiteRow>> = order.map(column => ({
		...values[column], width: widths[column], align: rightAligned.has(column) ? 'right' : 'left', cut: column === 'location' ? 'location' : 'start',
	}));
	return (
		<Box flexDirection="column" height={height}>
			<DataTable
				rows={rows} columns={columns} rowKey={row => row.key} visible={Math.max(1, height - 1)} selected={selected} focused={focused} empty={empty}
				style={(row, index) => ({color: color && row.suspect ? 'red' : undefined, dimColor: color && row.kind !== 'user' && index !== selected})}
			/>
		</Box>
	);
}
