import {Box, Text} from 'ink';
import {fit, formatBytes, formatDuration, pad, formatPercent, formatRate, sparkline} from '../../format.js';
import type {SourceText} from '../../model/location.js';
import {sparkValues} from '../../model/ranking.js';
import type {Point} from '../../model/history.js';
import type {DrillView} from '../derive.js';
import {movedText} from '../../model/analyses/call-tree-age.js';
import {ageBandsText, ageHistogram, describeAge} from './age.js';
import {pageStart} from './table.js';

type Props = {
	readonly drill: DrillView;
	readonly selected: number;
	readonly points: readonly Point[];
	/** The site's location as the table shows it, and the one of the source shown. */
	readonly location: string;
	/** The lines of the site's script (source-mapped when there is a map), and the line to centre on. */
	readonly source: {readonly text: SourceText | undefined; readonly line: number; readonly name: string};
	readonly locate: (site: DrillView['site']) => string;
	readonly width: number;
	readonly height: number;
	readonly color: boolean;
};

const inliningNote = 'V8 cannot see inlined functions: what they allocate shows in their caller, so look at the callees too (t).';

/** The line under the figures: how a moved leak was put together, what V8's own frames are, else the inlining caveat. */
function noteOf(row: DrillView['row'], site: DrillView['site']): string {
	if (row?.leak !== undefined) {
		return `▲ ${movedText(row.leak)}: ${formatBytes(row.leak.liveBytes)} held in ${row.leak.callee.functionName} and ${row.leak.node.functionName} together, judged as one`;
	}

	if (row?.partOf !== undefined) {
		const named = row.partOf.frame ?? row.partOf.callee;
		return `holds part of ▲ ${named.functionName}'s leak: ${movedText(row.partOf)}`;
	}

	if (site.functionName === '(V8 API)') {
		return '(V8 API): objects V8 made for native code (Node\'s C++ bindings, an addon) called from the JavaScript above it (t: callers).';
	}

	return inliningNote;
}

function treeLine(row: DrillView['rows'][number], locate: Props['locate'], width: number): string {
	const marker = row.depth === 0 ? '◆' : row.expanded ? '▾' : row.expandable ? '▸' : ' ';
	const figures = `${formatBytes(row.bytes).padStart(9)} ${formatPercent(row.share).padStart(5)}`;
	const label = `${'  '.repeat(Math.min(row.depth, 12))}${marker} ${row.site.functionName}  ${locate(row.site)}`;
	return `${pad(fit(label, width - figures.length - 2), width - figures.length - 1)} ${figures}`;
}

function sourceLines(source: Props['source'], width: number, height: number): string[] {
	const {text, line, name} = source;
	if (text === undefined) {
		return [`source of ${name}: reading…`];
	}

	if (text.kind === 'unavailable') {
		return [`source of ${name}: ${text.reason}`];
	}

	const first = pageStart(line - 1, text.lines.length, height - 1, Math.floor(height / 3));
	const shown = text.lines.slice(first, first + height - 1);
	const gutter = String(first + shown.length).length;
	return [
		fit(`source ${text.path}:${line}`, width),
		...shown.map((content, index) => fit(`${first + index + 1 === line ? '›' : ' '}${String(first + index + 1).padStart(gutter)} ${content.replaceAll('\t', '  ')}`, width)),
	];
}

/**
 * One allocation site up close: where it is, its history and growth, the call paths that end in it (callers,
 * heaviest first, expandable) or what its callees allocate, and its source.
 */
export function DrillDown({drill, selected, points, location, source, locate, width, height, color}: Props) {
	const {site, row, tree} = drill;
	const crumbs = [drill.peak === undefined ? 'sites' : 'comparison', ...drill.breadcrumb.map(entry => entry.functionName)].join(' › ');
	const trend = row === undefined ? '' : sparkline(sparkValues(points, row.id, Math.min(40, Math.max(8, width - 100))));
	const live = row === undefined ? undefined : `live ${formatBytes(row.liveBytes)}  growth ${formatRate(row.growthPerMinute)}${row.suspect ? '  ▲ suspect' : ''}  ${trend}`;
	const {peak} = drill;
	// Opened at a spike: the paths are as they were then, which is why the figures say both then and now.
	const figures = peak === undefined
		? live ?? 'holds nothing now'
		: `held ${formatBytes(drill.rows[0]?.bytes ?? 0)} at the spike ${formatDuration(Math.max(0, (points.at(-1)?.time ?? peak.time) - peak.time))} ago (${formatBytes(peak.weight)} sampled then); now ${live ?? 'nothing'}`;
	const age = row?.age;
	const wide = width >= 160;
	const treeWidth = wide ? Math.floor(width * 0.55) : width;
	const bodyHeight = Math.max(4, height - (age === undefined ? 4 : 6));
	const treeHeight = wide ? bodyHeight : Math.max(3, Math.ceil(bodyHeight / 2));
	const sourceWidth = wide ? width - treeWidth - 2 : width;
	const sourceHeight = wide ? bodyHeight : bodyHeight - treeHeight;
	const chosen = Math.min(selected, drill.rows.length - 1);
	const first = pageStart(chosen, drill.rows.length, treeHeight - 1, Math.floor(treeHeight / 2));
	const treeTitle = tree === 'callers' ? 'CALLERS (bottom-up: who calls it, heaviest first) · t: callees' : 'CALLEES (top-down: what it and its callees hold) · t: callers';
	const treeBox = (
		<Box flexDirection="column" width={treeWidth} height={treeHeight}>
			<Text bold wrap="truncate">{fit(treeTitle, treeWidth)}</Text>
			{drill.rows.slice(first, first + treeHeight - 1).map((entry, offset) => (
				<Text key={entry.path} wrap="truncate" inverse={first + offset === chosen}>{treeLine(entry, locate, treeWidth)}</Text>
			))}
		</Box>
	);
	const sourceBox = (
		<Box flexDirection="column" width={sourceWidth} height={sourceHeight}>
			{sourceLines(source, sourceWidth, sourceHeight).map((line, index) => (
				// Lines of a source file can repeat: their place is their identity.
				<Text key={index} wrap="truncate" dimColor={index === 0}>{line}</Text>
			))}
		</Box>
	);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate" color={color ? 'cyan' : undefined}>{fit(`${crumbs}   (Esc: back)`, width)}</Text>
			<Text wrap="truncate" bold>{fit(`${site.functionName}  ${location}  ${figures}`, width)}</Text>
			{age === undefined ? null : <Text wrap="truncate" color={color && age.verdict === 'leaking' ? 'red' : undefined}>{fit(`${ageHistogram(age.bands, age.bands.length)}  ${describeAge(age, row?.suspect === true)}`, width)}</Text>}
			{age === undefined ? null : <Text wrap="truncate">{fit(ageBandsText(age), width)}</Text>}
			<Text wrap="truncate" dimColor={row?.leak === undefined}>{fit(noteOf(row, site), width)}</Text>
			{wide ? <Box gap={2}>{treeBox}{sourceBox}</Box> : <Box flexDirection="column">{treeBox}{sourceBox}</Box>}
		</Box>
	);
}
