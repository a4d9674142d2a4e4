import {Box, Text, useInput} from 'ink';
import {useSyncExternalStore} from 'react';
import {HeapChart} from './components/heap-chart.js';
import {ComparePane} from './components/compare-pane.js';
import {Header} from './components/header.js';
import {HelpScreen} from './components/help-screen.js';
import {SitesTable} from './components/sites-table.js';
import {useTerminalSize} from './components/use-terminal-size.js';
import {collectGarbageCost, heapSnapshotCost} from './heap-snapshot.js';
import {bindingsFor, commandFor, keyNames} from './keymap.js';
import type {Store, StoreSnapshot} from './store.js';

type Props = {
	readonly store: Store;
	readonly onQuit: () => void;
	readonly cwd: string;
	readonly color: boolean;
};

export const minimumSize = {columns: 80, rows: 24};

const footers = {
	live: 'q quit  ? help  ↑↓ select  s sort  [ ] window  c compare  a alloc  b baseline  e export  p pause',
	replay: 'q quit  ? help  p play  ←→ step  Home/End  < > speed  ↑↓ select  s sort  c compare  e export',
} as const;

function statusLine({state, data}: StoreSnapshot): string {
	if (data === undefined) {
		return 'attaching…';
	}

	const {target} = data;
	const {confirm} = state.view;
	if (confirm !== undefined) {
		const heap = target.latest?.heap.usedSize ?? 0;
		return confirm === 'heap-snapshot'
			? `Heap snapshot? y: take it, other key: cancel. It ${heapSnapshotCost(heap)}`
			: `Full GC? y: force it, other key: cancel. It ${collectGarbageCost(heap)}`;
	}

	const parts: string[] = [];
	if (target.status.kind === 'exited') {
		parts.push(`${target.status.reason}: the data stays on screen, q quits`);
	}

	if (state.view.metric !== target.metric && target.status.kind === 'sampling') {
		parts.push(`switching to ${state.view.metric === 'allocated' ? 'allocations/s' : 'retained bytes'} at the next poll`);
	}

	if (state.view.paused) {
		parts.push('PAUSED (sampling goes on; p resumes)');
	}

	if (data.offHeap !== undefined) {
		parts.push(data.offHeap);
	}

	if (target.notice !== undefined) {
		parts.push(target.notice);
	}

	return parts.join(' · ');
}

/** The root view: lays out the panes from the store and owns the single input handler. */
export function App({store, onQuit, cwd, color}: Props) {
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	const {columns, rows} = useTerminalSize();
	useInput((input, key) => {
		if (store.getSnapshot().state.view.confirm !== undefined) {
			store.dispatch({type: 'answer', yes: input === 'y'});
			return;
		}

		for (const name of keyNames(input, key)) {
			const command = commandFor(name, store.getSnapshot().state.mode);
			if (command?.type === 'quit') {
				onQuit();
				return;
			}

			if (command !== undefined) {
				store.dispatch(command);
			}
		}
	});

	if (columns < minimumSize.columns || rows < minimumSize.rows) {
		return (
			<Text>{`terminal too small (${columns}×${rows}): leaktop needs ${minimumSize.columns}×${minimumSize.rows}. q quits.`}</Text>
		);
	}

	const {state, data} = snapshot;
	if (state.view.help) {
		return <HelpScreen bindings={bindingsFor(state.mode)} rows={rows} columns={columns} />;
	}

	if (data === undefined) {
		return <Text>attaching…</Text>;
	}

	const width = columns - 1;
	const chartHeight = rows >= 40 ? 12 : rows >= 30 ? 8 : 6;
	const tableHeight = rows - 1 - 3 - chartHeight - 2;
	const status = statusLine(snapshot);
	const {view} = state;
	// Beside the table when there is room for both; instead of it when not, where Tab flips between them.
	const sideBySide = view.compare && width >= 160;
	const tableWidth = sideBySide ? Math.floor(width * 0.52) : width;
	const table = (
		<SitesTable
			rows={data.rows} points={data.points} selected={view.selected} width={tableWidth} height={tableHeight} cwd={cwd} color={color}
			metric={data.target.metric} baseline={data.target.baseline !== undefined}
		/>
	);
	const compare = (
		<ComparePane
			comparison={data.comparison} metric={data.target.metric} sort={view.compareSort} selected={view.compareSelected}
			focused={view.focus === 'compare'} width={sideBySide ? width - tableWidth - 1 : width} height={tableHeight} cwd={cwd} color={color}
		/>
	);
	return (
		<Box flexDirection="column" width={width}>
			<Header target={data.target} window={data.window} sort={view.sort} width={width} color={color} cwd={cwd} replay={state.replay} />
			<HeapChart points={data.points} width={width} height={chartHeight} color={color} />
			{sideBySide ? <Box gap={1}>{table}{compare}</Box> : (view.compare && view.focus === 'compare' ? compare : table)}
			<Text wrap="truncate" color={color && data.target.status.kind === 'exited' ? 'yellow' : undefined}>{status === '' ? ' ' : status}</Text>
			<Text wrap="truncate" dimColor>{footers[state.mode]}</Text>
		</Box>
	);
}
