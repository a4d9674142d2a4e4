import {Box, Text} from 'ink';
import {pageStart, tableLine, type Cell} from './table.js';

/** A column: its title, width (0 leaves it out), how its text aligns and is cut, and what it shows of a row. */
export type Column<Row> = Omit<Cell, 'text'> & {
	readonly title: string;
	readonly value: (row: Row, index: number) => string;
};

/** How a row is drawn besides its text. */
type RowStyle = {readonly color?: string | undefined; readonly dimColor?: boolean | undefined};

type Props<Row> = {
	readonly rows: readonly Row[];
	readonly columns: ReadonlyArray<Column<Row>>;
	readonly rowKey: (row: Row) => string;
	/** Lines for the rows, the column titles excluded. */
	readonly visible: number;
	/** The selected row, or -1: shown in inverse video and with `›` (where inverse video does not show). */
	readonly selected?: number;
	/** Beside another pane, only the one with the keys shows its selection. */
	readonly focused?: boolean;
	readonly style?: (row: Row, index: number) => RowStyle;
	/** Said in place of the rows when there are none. */
	readonly empty?: string;
	/** Without column titles (a breakdown under another table). */
	readonly titles?: boolean;
};

/** The selection's column: `›` where inverse video does not show (NO_COLOR, dumb terminals). */
export const markerWidth = 1;

/**
 * Every table of columns in the view (the drill-down's tree pages on its own): a title line, then a page of rows around the selection, each a line of cells cut and
 * padded to their columns, the selected one marked. Selectable tables lead with the marker column.
 */
export function DataTable<Row>({rows, columns, rowKey, visible, selected = -1, focused = true, style, empty, titles = true}: Props<Row>) {
	const selectable = selected >= 0;
	const cells = (texts: readonly string[], mark: string): Cell[] => [
		...(selectable ? [{text: mark, width: markerWidth}] : []),
		...columns.map((column, index) => ({text: texts[index]!, width: column.width, align: column.align, cut: column.cut})),
	];
	const first = selectable ? pageStart(selected, rows.length, visible) : 0;
	return (
		<Box flexDirection="column">
			{titles ? <Text bold wrap="truncate">{tableLine(cells(columns.map(column => column.title), ' '))}</Text> : null}
			{rows.length === 0 && empty !== undefined ? <Text dimColor>{empty}</Text> : null}
			{rows.slice(first, first + visible).map((row, offset) => {
				const index = first + offset;
				const isSelected = focused && index === selected;
				const {color, dimColor} = style?.(row, index) ?? {};
				return (
					<Text key={rowKey(row)} wrap="truncate" inverse={isSelected} color={color} dimColor={dimColor}>
						{tableLine(cells(columns.map(column => column.value(row, index)), isSelected ? '›' : ' '))}
					</Text>
				);
			})}
		</Box>
	);
}
