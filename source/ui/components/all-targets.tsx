import {Box, Text} from 'ink';
import {formatBytes, formatPercent} from '../../format.js';
import {siteLocation} from '../../model/location.js';
import type {Merged} from '../../model/merged.js';
import {suspectCount} from '../../model/merged.js';
import type {SiteRow} from '../../model/ranking.js';
import type {TargetState} from '../../model/target.js';
import {verdictCell} from './age.js';
import {DataTable, type Column} from './data-table.js';
import {targetLabel} from '../../model/target-name.js';

type Props = {
	readonly targets: readonly TargetState[];
	readonly merged: ReadonlyArray<Merged<SiteRow>>;
	readonly selected: number;
	readonly width: number;
	/** Lines available below the target bar, the footer excluded. */
	readonly height: number;
	readonly color: boolean;
	readonly cwd: string;
};

function plural(count: number, one: string, many: string): string {
	return `${count} ${count === 1 ? one : many}`;
}

/** The verdict of a merged site: where it leaks, out of how many targets; else the verdict of the part that holds most. */
function mergedVerdict(site: Merged<SiteRow>, targets: number): string {
	return site.suspect ? `leaking in ${site.leakingIn} of ${targets}` : verdictWord(site.lead);
}

/** A part's verdict as a word, with its growth when it leaks. */
function verdictWord(row: SiteRow): string {
	return row.suspect ? `leaking ${verdictCell(row)}` : row.verdict === 'unknown' ? '—' : row.verdict;
}

/**
 * Every target at once (Cloud Profiler compares a fleet's instances, not one): the sites of all targets merged,
 * live bytes summed, each with where it leaks, and the selected site's split per target below.
 */
export function AllTargets({targets, merged, selected, width, height, color, cwd}: Props) {
	const sum = (value: (target: TargetState) => number | undefined) => targets.reduce((total, target) => total + (value(target) ?? 0), 0);
	const leaking = targets.filter(target => suspectCount(target) > 0).length;
	const workers = targets.filter(target => target.info.kind === 'worker').length;
	const gone = targets.filter(target => target.status.kind === 'exited').length;
	const worstPause = Math.max(0, ...targets.map(target => target.pauses?.worstMinute ?? 0));
	const site = merged[Math.min(selected, merged.length - 1)];
	const number = new Map(targets.map((target, index) => [target.info.id, index + 1]));
	const splitHeight = site === undefined ? 0 : 1 + Math.min(site.parts.length, Math.max(1, Math.floor((height - 4) / 3)));
	const visible = Math.max(1, height - 2 - 1 - splitHeight);
	const verdictWidth = Math.min(22, Math.max(12, Math.floor(width * 0.22)));
	// Seven cells, one space apart: marker 1, rank 4, live 9, where 6.
	const rest = Math.max(10, width - 1 - 4 - 9 - verdictWidth - 6 - 6);
	const columns: Array<Column<Merged<SiteRow>>> = [
		{title: '#', width: 4, align: 'right', value: (_entry, index) => String(index + 1)},
		{title: 'FUNCTION', width: Math.floor(rest * 0.45), value: entry => `${entry.suspect ? '▲ ' : ''}${entry.lead.functionName}`},
		{title: 'LOCATION', width: rest - Math.floor(rest * 0.45), cut: 'location', value: entry => siteLocation(entry.lead, cwd)},
		{title: 'LIVE Σ', width: 9, align: 'right', value: entry => formatBytes(entry.liveBytes)},
		{title: 'VERDICT', width: verdictWidth, value: entry => mergedVerdict(entry, targets.length)},
		{title: 'IN', width: 6, value: entry => (entry.parts.length === 1 ? `#${number.get(entry.parts[0]!.targetId) ?? '?'}` : `${entry.parts.length}`)},
	];
	const split: Array<Column<Merged<SiteRow>['parts'][number]>> = [
		{title: '', width: 4, align: 'right', value: ({targetId}) => `#${number.get(targetId) ?? '?'}`},
		{title: '', width: Math.max(10, width - 4 - 9 - 24 - 3), value({targetId}) {
			const target = targets.find(entry => entry.info.id === targetId);
			return target === undefined ? targetId : targetLabel(target, cwd);
		}},
		{title: '', width: 9, align: 'right', value: ({row}) => formatBytes(row.liveBytes)},
		{title: '', width: 24, value: ({row}) => verdictWord(row)},
	];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate" bold>
				{`all ${targets.length} targets   heap ${formatBytes(sum(target => target.live?.heap.usedSize))}   sampled ${formatBytes(sum(target => target.latestAggregates.site?.totalBytes))}   ${leaking === 0 ? 'no target leaking' : `leaking in ${leaking} of ${targets.length}`}`}
			</Text>
			<Text wrap="truncate" dimColor>
				{`${plural(targets.length - workers, 'process', 'processes')}, ${plural(workers, 'worker', 'workers')}${gone > 0 ? `, ${gone} gone` : ''}   worst minute's pause ${formatPercent(worstPause)}   sites merged by function and place`}
			</Text>
			<DataTable rows={merged} columns={columns} rowKey={entry => entry.key} visible={visible} selected={selected} empty="no allocation sampled yet" style={entry => ({color: color && entry.suspect ? 'red' : undefined})} />
			{site === undefined
				? null
				: (
					<Box flexDirection="column">
						<Text wrap="truncate" bold>{`${site.lead.functionName} in each target:`}</Text>
						<DataTable rows={site.parts.slice(0, splitHeight - 1)} columns={split} rowKey={part => part.targetId} visible={splitHeight - 1} titles={false} style={({row}) => ({color: color && row.suspect ? 'red' : undefined})} />
					</Box>
				)}
		</Box>
	);
}
