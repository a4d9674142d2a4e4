import {Box, Text, useInput} from 'ink';
import {useSyncExternalStore} from 'react';
import {LogPane} from './components/log-pane.js';
import {HeapChart} from './components/heap-chart.js';
import {ComparePane} from './components/compare-pane.js';
import {DrillDown} from './components/drill-down.js';
import {Header} from './components/header.js';
import {AllTargets} from './components/all-targets.js';
import {TargetBar} from './components/target-bar.js';
import {HelpScreen, helpLines, helpPage} from './components/help-screen.js';
import {SitesTable} from './components/sites-table.js';
import {useTerminalSize} from './components/use-terminal-size.js';
import {fitWhole} from '../format.js';
import {collectGarbageCost, heapSnapshotCost} from '../model/costs.js';
import {commandFor, footerFor, keyName, keymap, splitKeys, type Binding, type KeyFlags} from './keymap.js';
import type {Mode} from './store.js';
import {siteLocation} from '../model/location.js';
import {profileSizeHint} from '../model/profile-size.js';
import {scopeLabels} from '../model/scope.js';
import type {SiteIdentity} from '../model/identity.js';
import type {Store, StoreSnapshot} from './store.js';
import type {TerminalSize} from './components/use-terminal-size.js';

type Props = {
	readonly store: Store;
	readonly onQuit: () => void;
	readonly cwd: string;
	readonly color: boolean;
};

export const minimumSize = {columns: 80, rows: 24};

function statusLine({state, data}: StoreSnapshot): string {
	if (data === undefined) {
		return 'attaching…';
	}

	const {target} = data;
	const {confirm} = state.view;
	if (confirm !== undefined) {
		const heap = target.latest?.heap.usedSize ?? 0;
		const questions = {
			// What it costs first, then the keys: an 80-column status line keeps both.
			'heap-snapshot': `Heap snapshot: ${heapSnapshotCost(heap)}. y: take it, n: cancel`,
			'collect-garbage': `Full GC: ${collectGarbageCost(heap)}. y: force it, n: cancel`,
			'profile-now': `Profile now (a full GC): ${collectGarbageCost(heap)}. y: take it, n: cancel`,
			'switch-metric': `Measure ${state.view.metric === 'retained' ? 'allocations/s' : 'retained bytes'}? y/n: the sampler restarts, forgetting every survivor`,
		};
		return questions[confirm];
	}

	const parts: string[] = [];
	const {view} = state;
	if (view.said !== undefined) {
		parts.push(view.said);
	}

	if (view.filtering) {
		parts.push(`/${view.filter}▏ (Enter keeps, Esc clears)`);
	} else if (view.filter !== '') {
		parts.push(`filter "${view.filter}" (/ edits)`);
	}

	if (view.focusSite !== undefined) {
		parts.push(`focus ${view.focusSite.functionName} (f clears)`);
	}

	if (view.grouping === 'user') {
		parts.push('builtins and internals counted in your frames (u)');
	}

	if (view.scope !== 'all') {
		parts.push(`${scopeLabels[view.scope]} (n)`);
	}

	if (target.status.kind === 'exited') {
		parts.push(`${target.status.reason}: the data stays on screen, q quits`);
	}

	if (state.view.metric !== target.metric && target.status.kind === 'sampling') {
		parts.push(`switching to ${state.view.metric === 'allocated' ? 'allocations/s' : 'retained bytes'} at the next poll: the sampler restarts, and what it retained so far is forgotten`);
	}

	if (state.view.paused) {
		parts.push('PAUSED (sampling goes on; p resumes)');
	}

	if (data.offHeap !== undefined) {
		parts.push(data.offHeap);
	}

	const large = target.latestAggregates.site === undefined || target.latest === undefined
		? undefined
		: profileSizeHint(target.latestAggregates.site.nodeCount, target.latest.samplingInterval);
	if (large !== undefined) {
		parts.push(large);
	}

	if (target.notice !== undefined) {
		parts.push(target.notice);
	}

	return parts.join(' · ');
}

/** The keys the help lists in a mode: every one that applies there. */
const helpBindings = (mode: Mode): Binding[] => keymap.filter(binding => binding.mode === undefined || binding.mode === mode);

/** While the help is open only these act: the rest would change the view behind it unseen. */
const inHelp = new Set(['help-scroll', 'toggle-help', 'close-help', 'quit']);

/**
 * Every key press goes through here: a pending confirmation takes the next key, the filter takes what is typed
 * while it is open, and the keymap maps the rest in the current mode and context.
 */
function onKey(store: Store, input: string, key: KeyFlags, onQuit: () => void, size: TerminalSize): void {
	const keys = splitKeys(input, key);
	if (keys.length > 1) {
		// Each key may change what the next one means (`/` opens the filter for the letters after it).
		for (const [one, flags] of keys) {
			onKey(store, one, flags, onQuit, size);
		}

		return;
	}

	const {view, mode} = store.getSnapshot().state;
	if (view.confirm !== undefined) {
		store.dispatch({type: 'answer', yes: input === 'y'});
		return;
	}

	if (view.filtering) {
		if (key.escape === true || key.return === true) {
			store.dispatch({type: 'filter-end', keep: key.return === true});
		} else if (key.backspace === true || key.delete === true) {
			store.dispatch({type: 'filter-text', text: view.filter.slice(0, -1)});
		} else if (key.ctrl !== true && input !== '' && !Object.values(key).some(Boolean)) {
			store.dispatch({type: 'filter-text', text: view.filter + input});
		}

		return;
	}

	const name = keyName(input, key);
	const command = commandFor(name, mode, view.help ? 'help' : view.log ? 'log' : view.drill.length > 0 ? 'drill' : 'list');
	if (command === undefined && mode === 'replay' && !view.help && commandFor(name, 'live') !== undefined) {
		store.dispatch({type: 'say', text: `${name}: a recording has no target to act on (a, H, g and P work on a live one)`});
		return;
	}

	if (command === undefined || (view.help && !inHelp.has(command.type))) {
		return;
	}

	if (command.type === 'quit') {
		onQuit();
	} else if (command.type === 'help-scroll') {
		// The help's pages follow the terminal's size: bounded here, where the size is known.
		const {page, maxTop} = helpPage(helpLines(helpBindings(mode), size.columns).length, size.rows);
		const top = Math.min(view.helpTop, maxTop) + (command.by * (command.unit === 'page' ? page : 1));
		store.dispatch({type: 'help-top', top: Math.max(0, Math.min(maxTop, top))});
	} else {
		store.dispatch(command);
	}
}

/** The root view: lays out the panes from the store and owns the single input handler. */
export function App({store, onQuit, cwd, color}: Props) {
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	const {columns, rows} = useTerminalSize();
	useInput((input, key) => {
		onKey(store, input, key, onQuit, {columns, rows});
	});

	if (columns < minimumSize.columns || rows < minimumSize.rows) {
		return (
			<Text>{`terminal too small (${columns}×${rows}): leaktop needs ${minimumSize.columns}×${minimumSize.rows}. q quits.`}</Text>
		);
	}

	const {state, data, merged, mergedComparison} = snapshot;
	if (state.view.help) {
		return <HelpScreen bindings={helpBindings(state.mode)} rows={rows} columns={columns} top={state.view.helpTop} />;
	}

	if (data === undefined) {
		return <Text>attaching…</Text>;
	}

	const width = columns - 1;
	const chartHeight = rows >= 40 ? 12 : rows >= 30 ? 8 : 6;
	const several = state.targets.length > 1;
	const tableHeight = rows - 1 - 3 - chartHeight - 2 - (several ? 1 : 0);
	const status = statusLine(snapshot);
	const {view} = state;
	// Beside the table when there is room for both; instead of it when not, where Tab flips between them.
	const sideBySide = view.compare && width >= 160;
	const tableWidth = sideBySide ? Math.floor(width * 0.52) : width;
	const locate = (site: SiteIdentity) => {
		const here = siteLocation(site, cwd, view.generated ? undefined : state.originals.get(site.key));
		const caller = data.callers.get(site.key);
		// A builtin is rarely what a user can fix: name the code of theirs that calls it.
		if (caller === undefined) {
			return here;
		}

		const {line} = (view.generated ? undefined : state.originals.get(caller.key)) ?? caller;
		return `${here} ← ${caller.functionName}:${line}`;
	};
	const table = (
		<SitesTable
			rows={data.rows} points={data.points} selected={view.selected} focused={!sideBySide || view.focus === 'table'} width={tableWidth} height={tableHeight} cwd={cwd} color={color}
			metric={data.target.metric} baseline={data.target.baseline !== undefined} locate={locate}
			empty={data.allRows.length > 0 ? 'no site matches the filter, focus or scope' : undefined}
		/>
	);
	const compare = (
		<ComparePane
			comparison={data.comparison} metric={data.target.metric} sort={view.compareSort} selected={view.compareSelected}
			focused={view.focus === 'compare'} width={sideBySide ? width - tableWidth - 1 : width} height={tableHeight} cwd={cwd} color={color}
			locate={locate}
		/>
	);
	const header = (
		<>
			{several ? <TargetBar targets={state.targets} active={state.active} all={false} width={width} color={color} cwd={cwd} /> : undefined}
			<Header target={data.target} window={data.window} sort={view.sort} width={width} color={color} cwd={cwd} replay={state.replay} />
		</>
	);
	const footer = (
		<>
			<Text wrap="truncate" color={color && data.target.status.kind === 'exited' ? 'yellow' : undefined}>{status === '' ? ' ' : status}</Text>
			<Text wrap="truncate" dimColor>{fitWhole(footerFor(state.mode, view.log ? 'log' : data.drill === undefined ? 'list' : 'drill', merged !== undefined ? 'all' : several ? 'several' : 'one'), width, '  ')}</Text>
		</>
	);
	if (merged !== undefined) {
		return (
			<Box flexDirection="column" width={width}>
				<TargetBar targets={state.targets} active={state.active} all width={width} color={color} cwd={cwd} />
				{mergedComparison !== undefined && view.focus === 'compare'
					? (
						<ComparePane
							comparison={mergedComparison} metric="retained" sort={view.compareSort} selected={view.compareSelected}
							focused width={width} height={rows - 1 - 1 - 2} cwd={cwd} color={color} locate={locate}
						/>
					)
					: <AllTargets targets={state.targets} merged={merged} selected={view.selected} width={width} height={rows - 1 - 1 - 2} color={color} cwd={cwd} />}
				{footer}
			</Box>
		);
	}

	if (view.log) {
		return (
			<Box flexDirection="column" width={width}>
				{header}
				<HeapChart points={data.points} readings={data.readings} width={width} height={chartHeight} color={color} />
				<LogPane target={data.target} back={view.logBack} width={width} height={tableHeight} color={color} />
				{footer}
			</Box>
		);
	}

	if (data.drill !== undefined) {
		const {site} = data.drill;
		const original = view.generated ? undefined : state.originals.get(site.key);
		const shownUrl = original?.url ?? site.url;
		return (
			<Box flexDirection="column" width={width}>
				{header}
				<DrillDown
					drill={data.drill} selected={view.drill.at(-1)?.selected ?? 0} points={data.points} location={locate(site)} locate={locate}
					source={{text: state.sources.get(shownUrl), line: original?.line ?? site.line, name: site.functionName}}
					width={width} height={rows - 1 - 3 - 2 - (several ? 1 : 0)} color={color}
				/>
				{footer}
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={width}>
			{header}
			<HeapChart points={data.points} readings={data.readings} width={width} height={chartHeight} color={color} />
			{sideBySide ? <Box gap={1}>{table}{compare}</Box> : (view.compare && view.focus === 'compare' ? compare : table)}
			{footer}
		</Box>
	);
}
