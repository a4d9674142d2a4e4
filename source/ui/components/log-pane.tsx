import {Box, Text} from 'ink';
import {fit} from '../../format.js';
import type {TargetState} from '../../model/target.js';

type Props = {
	readonly target: TargetState;
	/** Lines scrolled back from the end (0: the end, following new lines). */
	readonly back: number;
	readonly width: number;
	/** Lines available, the title included. */
	readonly height: number;
	readonly color: boolean;
};

/** A program's line as plain text: its colours and cursor movements would draw over the view. */
function plain(text: string): string {
	return text.replaceAll(/\u001B\[[\d;?]*[ -/]*[@-~]|\u001B[@-_]|[\u0000-\u0008\u000B-\u001F\u007F]/g, '').replaceAll('\t', '  ');
}

/** Why a target has no output to show, or undefined when it may have. */
function noOutput(target: TargetState): string | undefined {
	if (target.info.started === true) {
		return undefined;
	}

	if (target.info.kind === 'worker' || target.info.parent !== undefined) {
		return 'a worker thread or a child process prints through its program: its output is in the program\'s log pane';
	}

	return 'no program output to show: leaktop attached to a running process, whose output goes where it always went. Start the program under leaktop (leaktop -- node app.js) to see it here.';
}

/**
 * The log pane: what the program leaktop started prints, as it arrives, stderr marked `!` (red with colour);
 * it follows the end unless scrolled back, and once the program exited its last line says how.
 */
export function LogPane({target, back, width, height, color}: Props) {
	const {output, status} = target;
	const ended = status.kind === 'exited' && target.info.started === true ? status.reason : undefined;
	const visible = Math.max(1, height - 1 - (ended === undefined ? 0 : 1));
	const scrolled = Math.min(back, Math.max(0, output.size - visible));
	const end = output.size - scrolled;
	const lines = output.slice(end - visible, end);
	const dropped = output.total - output.size;
	const where = scrolled === 0 ? 'following the end' : `${scrolled} line${scrolled === 1 ? '' : 's'} back (End follows)`;
	const empty = noOutput(target) ?? 'nothing printed yet';
	return (
		<Box flexDirection="column" height={height}>
			<Text bold wrap="truncate">{fit(`LOG  ${output.total} line${output.total === 1 ? '' : 's'}${dropped > 0 ? `, the newest ${output.size} kept` : ''}  ${where}`, width)}</Text>
			{output.size === 0 ? <Text dimColor wrap="truncate">{fit(empty, width)}</Text> : null}
			{lines.map((line, index) => (
				// Lines repeat: their place in the pane is their identity.
				<Text key={index} wrap="truncate" color={color && line.stream === 'stderr' ? 'red' : undefined}>
					{fit(`${line.stream === 'stderr' ? '!' : ' '} ${plain(line.text)}`, width)}
				</Text>
			))}
			{ended === undefined ? null : <Text wrap="truncate" color={color ? 'yellow' : undefined}>{fit(`── ${ended}`, width)}</Text>}
		</Box>
	);
}
