import {Box, Text} from 'ink';
import stringWidth from 'string-width';
import {fit, formatBytes} from '../../format.js';
import {displayPath} from '../../model/location.js';
import {suspectCount} from '../../model/judged.js';
import type {TargetState} from '../../model/target.js';

type Props = {
	readonly targets: readonly TargetState[];
	readonly active: number;
	readonly width: number;
	readonly color: boolean;
	readonly cwd: string;
};

/** A target's name in the bar: a worker by its name, a process by its pid and script. */
export function targetLabel(target: TargetState, cwd: string): string {
	if (target.info.kind === 'worker') {
		return target.info.title;
	}

	const pid = target.info.pid ?? target.live?.process?.pid;
	const name = displayPath(target.info.title || target.info.url || 'node', cwd).split('/').at(-1) ?? '';
	return `${pid === undefined ? '' : `pid ${pid} `}${name}`;
}

/**
 * One line over the header when a session has several targets (worker threads, child processes, addresses):
 * each with its number, name, heap, ▲ when a site of it is leaking and ✕ when it is gone; the one shown is
 * inverted. When they do not fit, the others shrink to their number and marks.
 */
export function TargetBar({targets, active, width, color, cwd}: Props) {
	const marks = (target: TargetState) => `${suspectCount(target) > 0 ? ' ▲' : ''}${target.status.kind === 'exited' ? ' ✕' : ''}`;
	const full = targets.map((target, index) => `${index + 1} ${targetLabel(target, cwd)} ${target.live === undefined ? '—' : formatBytes(target.live.heap.usedSize)}${marks(target)}`);
	const roomy = full.reduce((total, entry) => total + stringWidth(entry) + 3, 0) <= width;
	const entries = roomy ? full : targets.map((target, index) => (index === active ? full[index]! : `${index + 1}${marks(target)}`));
	const separator = roomy ? ' │ ' : ' ';
	let left = width;
	return (
		<Box width={width}>
			{entries.map((entry, index) => {
				const text = fit(`${index === 0 ? '' : separator}${entry}`, left);
				left -= stringWidth(text);
				const suspect = suspectCount(targets[index]!) > 0;
				return (
					<Text key={targets[index]!.info.id} wrap="truncate" inverse={index === active} color={color && suspect ? 'red' : undefined} dimColor={targets[index]!.status.kind === 'exited'}>
						{text}
					</Text>
				);
			})}
		</Box>
	);
}
