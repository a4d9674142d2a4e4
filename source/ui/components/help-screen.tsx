import {Box, Text} from 'ink';
import {fit, pad} from '../../format.js';
import type {Binding} from '../keymap.js';

type Props = {readonly bindings: readonly Binding[]; readonly rows: number; readonly columns: number};

const notes = [
	'LIVE: what its allocations still hold. AGE: those bytes by when allocated, oldest left. A leak',
	'keeps some from every period and still adds (▲; GROWTH: its rate); a cache built once: one-time;',
	'a bounded one keeps only recent ones (keeps 8s). Few samples: ▲ if LIVE\'s floor rises steadily.',
	'COMPARE: mean in the heaviest P% of snapshots vs. all; inlined functions count in their caller.',
]

/**
 * The keys, drawn from the keymap table, and what the columns mean: in two columns when the terminal is short
 * (but wide, to keep the notes too; or too short for one column at all), without the notes when there is no room.
 */
export function HelpScreen({bindings, rows, columns}: Props) {
	const shown = bindings.filter(binding => binding.label !== '');
	const lines = shown.map(binding => `${binding.label.padEnd(7)} ${binding.description}`);
	// Two columns (descriptions cut short) rather than a box taller than the terminal, whose top would scroll away.
	const split = lines.length + 3 > rows || (lines.length + notes.length + 4 > rows && columns >= 100);
	const half = Math.ceil(lines.length / 2);
	const width = Math.floor((columns - 6) / 2);
	const body = split
		// Each half cut with its ellipsis two columns short, so a description never runs into the next key.
		? lines.slice(0, half).map((line, index) => `${pad(fit(line, width - 2), width)}${fit(lines[half + index] ?? '', width)}`)
		: lines;
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1}>
			<Text bold>Keys</Text>
			{body.map(line => (
				<Text key={line} wrap="truncate">{line}</Text>
			))}
			{(body.length + notes.length + 3 <= rows ? notes : []).map(line => (
				<Text key={line} wrap="truncate">{line}</Text>
			))}
		</Box>
	);
}
