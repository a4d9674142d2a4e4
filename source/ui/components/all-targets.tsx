import {Box, Text} from 'ink';
import {formatBytes, formatPercent} from '../../format.js';
import {siteLocation} from '../../model/location.js';
import type {Merged} from '../../model/merged.js';
import {suspectCount} from '../../model/merged.js';
import type {SiteRow} from '../../model/ranking.js';
import type {TargetState} from '../../model/target.js';
import {verdictCell} from './age.js';
import {pageStart, tableLine, type Cell} from './table.js';
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
	const first = pageStart(selected, merged.length, visible);
	const verdictWidth = Math.min(22, Math.max(12, Math.floor(width * 0.22)));
	// Seven cells, one space apart: marker 1, rank 4, live 9, where 6.
	const rest = Math.max(10, width - 1 - 4 - 9 - verdictWidth - 6 - 6);
	const columns = (marker: string, rank: string, name: string, location: string, live: string, verdict: string, where: string): Cell[] => [
		{text: marker, width: 1}, {text: rank, width: 4, align: 'right'}, {text: name, width: Math.floor(rest * 0.45)},
		{text: location, width: rest - Math.floor(rest * 0.45), cut: 'location'}, {text: live, width: 9, align: 'right'}, {text: verdict, width: verdictWidth}, {text: where, width: 6},
	];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate" bold>
				{`all ${targets.length} targets   heap ${formatBytes(sum(target => target.live?.heap.usedSize))}   sampled ${formatBytes(sum(target => target.latestAggregates.site?.totalBytes))}   ${leaking === 0 ? 'no target leaking' : `leaking in ${leaking} of ${targets.length}`}`}
			</Text>
			<Text wrap="truncate" dimColor>
				{`${plural(targets.length - workers, 'process', 'processes')}, ${plural(workers, 'worker', 'workers')}${gone > 0 ? `, ${gone} gone` : ''}   worst minute's pause ${formatPercent(worstPause)}   sites merged by function and place`}
			</Text>
			<Text wrap="truncate" bold>{tableLine(columns(' ', '#', 'FUNCTION', 'LOCATION', 'LIVE Σ', 'VERDICT', 'IN'))}</Text>
			{merged.length === 0 ? <Text dimColor>no allocation sampled yet</Text> : null}
			{merged.slice(first, first + visible).map((entry, offset) => {
				const index = first + offset;
				const where = entry.parts.length === 1 ? `#${number.get(entry.parts[0]!.targetId) ?? '?'}` : `${entry.parts.length}`;
				return (
					<Text key={entry.key} wrap="truncate" inverse={index === selected} color={color && entry.suspect ? 'red' : undefined}>
						{tableLine(columns(index === selected ? '›' : ' ', String(index + 1), `${entry.suspect ? '▲ ' : ''}${entry.lead.functionName}`, siteLocation(entry.lead, cwd), formatBytes(entry.liveBytes), mergedVerdict(entry, targets.length), where))}
					</Text>
				);
			})}
			{site === undefined
				? null
				: (
					<Box flexDirection="column">
						<Text wrap="truncate" bold>{`${site.lead.functionName || '(anonymous)'} in each target:`}</Text>
						{site.parts.slice(0, splitHeight - 1).map(({targetId, row}) => {
							const target = targets.find(entry => entry.info.id === targetId);
							return (
								<Text key={targetId} wrap="truncate" color={color && row.suspect ? 'red' : undefined}>
									{tableLine([
										{text: `#${number.get(targetId) ?? '?'}`, width: 4, align: 'right'}, {text: target === undefined ? targetId : targetLabel(target, cwd), width: Math.max(10, width - 4 - 9 - 24 - 3)},
										{text: formatBytes(row.liveBytes), width: 9, align: 'right'}, {text: verdictWord(row), width: 24},
									])}
								</Text>
							);
						})}
					</Box>
				)}
		</Box>
	);
}
