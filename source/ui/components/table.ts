import {fit, pad} from '../../format.js';

/** One cell of a table line: its text cut and padded to its column. */
export type Cell = {
	readonly text: string;
	readonly width: number;
	/** Numbers align right. */
	readonly align?: 'left' | 'right';
	/** How the text is cut when too long: locations keep their end (file and line); names their start. */
	readonly cut?: 'start' | 'end' | ((text: string, width: number) => string);
};

/** A table line: cells of zero width left out, the others cut and padded to their columns, one space apart. */
export function tableLine(cells: readonly Cell[]): string {
	return cells.filter(cell => cell.width > 0).map(cell => {
		const text = typeof cell.cut === 'function' ? cell.cut(cell.text, cell.width) : fit(cell.text, cell.width, cell.cut === 'end' ? 'end' : 'start');
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
