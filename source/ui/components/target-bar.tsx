import {Box, Text} from 'ink';
import {fit, formatBytes, textWidth} from '../../format.js';
import {suspectCount} from '../../model/merged.js';
import type {TargetState} from '../../model/target.js';
import {targetLabel} from '../../model/target-name.js';

type Props = {
	readonly targets: readonly TargetState[];
	readonly active: number;
	/** The all-targets view is shown: `all` is marked instead of a target. */
	readonly all: boolean;
	readonly width: number;
	readonly color: boolean;
	readonly cwd: string;
};

/**
 * One line over the header when a session has several targets (worker threads, child processes, addresses):
 * each with its number, name, heap, ▲ when a site of it is leaking and ✕ when it is gone, then `all`; the one
 * shown is inverted. When they do not fit, the others shrink to their number and marks.
 */
export function TargetBar({targets, active, all, width, color, cwd}: Props) {
	const marks = (target: TargetState) => `${suspectCount(target) > 0 ? ' ▲' : ''}${target.status.kind === 'exited' ? ' ✕' : ''}`;
	const full = targets.map((target, index) => `${index + 1} ${targetLabel(target, cwd)} ${target.live === undefined ? '—' : formatBytes(target.live.heap.usedSize)}${marks(target)}`);
	const shown = all ? -1 : active;
	const roomy = full.reduce((total, entry) => total + textWidth(entry) + 3, 0) + 3 <= width;
	const entries = [
		...(roomy ? full : targets.map((target, index) => (index === shown ? full[index]! : `${index + 1}${marks(target)}`))).map((text, index) => ({
			key: targets[index]!.info.id, text, inverse: index === shown, suspect: suspectCount(targets[index]!) > 0, gone: targets[index]!.status.kind === 'exited',
		})),
		{key: 'all', text: 'all', inverse: all, suspect: false, gone: false},
	];
	const separator = roomy ? ' │ ' : ' ';
	let left = width;
	return (
		<Box width={width}>
			{entries.map((entry, index) => {
				const text = fit(`${index === 0 ? '' : separator}${entry.text}`, left);
				left -= textWidth(text);
				return (
					<Text key={entry.key} wrap="truncate" inverse={entry.inverse} color={color && entry.suspect ? 'red' : undefined} dimColor={entry.gone}>
						{text}
					</Text>
				);
			})}
		</Box>
	);
}
