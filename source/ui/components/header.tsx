import {Box, Text} from 'ink';
import {fit, fitWhole, formatBytes, formatDuration, formatPercent} from '../../format.js';
import {lastMinute, minuteMs} from '../../model/pause-share.js';
import {sortLabels, type SortKey} from '../../model/ranking.js';
import type {TargetState} from '../../model/target.js';
import {targetName} from '../../model/target-name.js';
import type {ReplayStatus} from '../store.js';
import type {WindowChoice} from '../view-state.js';

type Props = {
	readonly target: TargetState;
	readonly window: WindowChoice;
	readonly sort: SortKey;
	readonly width: number;
	readonly color: boolean;
	readonly cwd: string;
	readonly replay?: ReplayStatus;
};

/** When the governor takes the next profile: a poll forces a full GC, so on a big heap they come minutes apart. */
function nextProfile(target: TargetState, replaying: boolean): string {
	const {latest, live} = target;
	if (replaying || latest === undefined || live === undefined || target.status.kind !== 'sampling') {
		return '';
	}

	const due = latest.time - latest.governor.lastPollMs + latest.governor.intervalMs;
	const profiles = `${target.snapshots} profile${target.snapshots === 1 ? '' : 's'}`;
	return `${profiles}, next in ${Math.max(0, Math.round((due - live.time) / 1000))} s`;
}

/** What the polls really took of the target's time, as --max-overhead is read: over a minute; short, only the share. */
function pauseFigure(target: TargetState, now: number | undefined): readonly [string, number, string?] {
	const governor = target.latest?.governor;
	if (governor === undefined || now === undefined) {
		return ['poll —', 2];
	}

	const share = `pause ${formatPercent(target.pauses === undefined ? 0 : lastMinute(target.pauses, now))}`;
	return [`pause ${Math.round(governor.lastPollMs)} ms every ${(governor.intervalMs / 1000).toFixed(1)} s = ${share.slice(6)}`, 2, share];
}

/** Who is profiled and what it costs: target, memory figures, poll latency, sampling settings. */
export function Header({target, window, sort, width, color, cwd, replay}: Props) {
	const {latest, live} = target;
	const latestAggregate = target.latestAggregates.site;
	// The heap's figures come once a second between profiles: the clock and the heap move with them.
	const now = live?.time ?? latest?.time;
	const uptime = live?.process === undefined ? '' : `up ${formatDuration(live.process.uptimeSeconds * 1000)}`;
	const attached = now === undefined ? '' : `attached ${formatDuration(now - target.attachedAt)}`;
	const memory = live?.process?.memory;
	const sampled = latestAggregate?.totalBytes ?? 0;
	const heapLine = latest === undefined || live === undefined
		? 'waiting for the first profile…'
		: [
			`heap ${formatBytes(live.heap.usedSize)} / ${formatBytes(live.heap.totalSize)}`,
			target.metric === 'allocated'
				? `allocating ${formatBytes(sampled)}/s`
				: `sampled ${formatBytes(sampled)} (${formatPercent(latest.heap.usedSize > 0 ? sampled / latest.heap.usedSize : 0)} of heap)`,
			memory === undefined
				// Without the evaluated expression (--no-eval), Node 24 and later still report the backing stores.
				? `rss —${live.heap.backingStorageSize === undefined ? '' : `  ext ${formatBytes(live.heap.backingStorageSize + (live.heap.embedderHeapUsedSize ?? 0))}`}`
				: `rss ${formatBytes(memory.rss)}  ext ${formatBytes(memory.external)}`,
			// Retained profiles keep only live samples: their count since the start misses what died young.
			target.allocationRate === undefined || target.metric === 'allocated' ? '' : `alloc ≥ ${formatBytes(target.allocationRate)}/s`,
		].filter(part => part !== '').join('   ');
	const governor = latest?.governor;
	// What the user steers comes first; on a narrow terminal the least needed figures are left out whole.
	const costLine = fitWhole([
		[replay === undefined ? '' : `REPLAY ${replay.position}/${replay.count} ${replay.playing ? '▶' : '❚❚'} ×${replay.speed}`, 1],
		[`sort ${sortLabels[sort]}`, 1],
		[`window ${window.label}`, 2],
		[target.metric === 'allocated' ? 'measuring allocations/s' : '', 1],
		[target.baseline === undefined ? '' : `baseline ${formatDuration((latest?.time ?? target.baseline.time) - target.baseline.time)} ago`, 2],
		pauseFigure(target, now),
		[governor?.stretched === true ? '(stretched to the budget)' : '', 5],
		[nextProfile(target, replay !== undefined), 4],
		[latest === undefined ? '' : `own cpu ${formatPercent(latest.selfCpu)}`, 3],
		[target.pauses === undefined || now === undefined || now - target.pauses.since < minuteMs ? '' : `worst min ${formatPercent(target.pauses.worstMinute)}`, 5],
		[`sampling ${formatBytes(latest?.samplingInterval ?? Number.NaN)}`, 5],
	], width, '  ');
	const targetLine = fitWhole([
		[targetName(target, cwd), 1], [uptime, 4], [attached, 2], [target.info.logPath === undefined ? '' : `log ${target.info.logPath}`, 3],
	], width - 9, '   ');
	return (
		<Box flexDirection="column">
			<Text wrap="truncate">
				<Text bold color={color ? 'cyan' : undefined}>leaktop</Text>
				{fit(`  ${targetLine}`, width - 7)}
			</Text>
			<Text wrap="truncate">{heapLine}</Text>
			<Text wrap="truncate" dimColor={color}>{costLine}</Text>
		</Box>
	);
}
