import {Box, Text} from 'ink';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import {pad} from '../../format.js';
import type {Binding} from '../keymap.js';

type Props = {readonly bindings: readonly Binding[]; readonly rows: number; readonly columns: number; readonly top: number};

const notes = 'LIVE: what its allocations still hold. AGE: those bytes by when allocated, oldest left. A leak keeps some '
	+ 'from every period and still adds (▲; GROWTH: its rate); a cache built once: one-time; a bounded one keeps only '
	+ 'recent ones (keeps 8s). Few samples: ▲ if LIVE\'s floor rises steadily. COMPARE: mean in the heaviest P% of '
	+ 'snapshots vs. all; inlined functions count in their caller.';

/** The box's border and padding, on each side together. */
const frameColumns = 4;
/** Rows the box takes besides the lines it shows: its border, the title and, when it scrolls, the scroll line. */
const frameRows = 4;

const contextOrder = (binding: Binding) => (binding.context === 'drill' ? 1 : 0);

/**
 * The help's lines at a terminal's width: each key with its description whole, wrapped under it (the table's keys
 * first, the drill-down's after), then what the columns mean.
 */
export function helpLines(bindings: readonly Binding[], columns: number): string[] {
	const shown = bindings.filter(binding => binding.label !== '').sort((a, b) => contextOrder(a) - contextOrder(b));
	const inner = columns - frameColumns;
	const labelWidth = Math.max(...shown.map(binding => stringWidth(binding.label))) + 1;
	const keys = shown.flatMap(binding => wrapAnsi(binding.description, inner - labelWidth, {hard: true}).split('\n')
		.map((line, index) => `${pad(index === 0 ? binding.label : '', labelWidth)}${line}`));
	return [...keys, '', ...wrapAnsi(notes, inner, {hard: true}).split('\n')];
}

/** How many of `lineCount` lines a terminal of `rows` shows at once, and the last first line that scrolling reaches. */
export function helpPage(lineCount: number, rows: number): {readonly page: number; readonly maxTop: number} {
	const page = lineCount + frameRows - 1 <= rows ? lineCount : Math.max(1, rows - frameRows);
	return {page, maxTop: lineCount - page};
}

/**
 * The keys, drawn from the keymap table, and what the columns mean; every description whole. Taller than the
 * terminal, it shows a page at a time and scrolls (a box taller than the terminal would lose its top).
 */
export function HelpScreen({bindings, rows, columns, top}: Props) {
	const lines = helpLines(bindings, columns);
	const {page, maxTop} = helpPage(lines.length, rows);
	const first = Math.min(top, maxTop);
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1}>
			<Text bold>Keys</Text>
			{lines.slice(first, first + page).map((line, index) => (
				// Blank lines and wrapped halves can repeat: a line is known by its place.
				<Text key={first + index} wrap="truncate">{line}</Text>
			))}
			{maxTop === 0 ? undefined : (
				<Text dimColor wrap="truncate">{`${first + 1}–${first + page} of ${lines.length}   ↑↓ PgUp PgDn Home End: scroll   ? or Esc: close`}</Text>
			)}
		</Box>
	);
}
