import {fit, pad, textWidth} from '../../format.js';

/** One cell of a table line: its text cut and padded to its column. */
export type Cell = {
	readonly text: string;
	readonly width: number;
	/** Numbers align right. */
	readonly align?: 'left' | 'right';
	/** How the text is cut when too long: names keep their start; locations their end (see fitLocation). */
	readonly cut?: 'start' | 'location';
};

/**
 * A location keeps its end (file and line) when cut. A builtin's `(native) ← caller:line` drops `(native) ` first,
 * then cuts the caller's name at its end, keeping the arrow that says whose code it is and the line:
 * `← handleRequ…:44`, not `← …nonymous):44`.
 */
function fitLocation(text: string, width: number): string {
	const arrow = text.indexOf(' ← ');
	if (textWidth(text) <= width || arrow < 0 || width < 4) {
		return fit(text, width, 'end');
	}

	const caller = text.slice(arrow + 3);
	const colon = caller.lastIndexOf(':');
	const line = colon < 0 ? '' : caller.slice(colon);
	return `← ${fit(caller.slice(0, colon < 0 ? caller.length : colon), width - 2 - textWidth(line))}${line}`;
}

/** A table line: cells of zero width left out, the others cut and padded to their columns, one space apart. */
export function tableLine(cells: readonly Cell[]): string {
	return cells.filter(cell => cell.width > 0).map(cell => {
		const text = cell.cut === 'location' ? fitLocation(cell.text, cell.width) : fit(cell.text, cell.width);
		return pad(text, cell.width, cell.align);
	}).join(' ');
}

/**
 * The first of `visible` rows to show so the selection stays in view, `above` rows from the top where the
 * list allows it: a list shorter than the page starts at its top, and the page never runs past its end.
 */
export function pageStart(selected: number, count: number, visible: number, above = Math.floor(visible / 2)): number {
	return Math.max(0, Math.min(selected - above, count - visible));
}
