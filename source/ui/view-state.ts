import {compareSortKeys, defaultPercentile, percentiles, type CompareSortKey} from '../model/compare.js';
import type {DrillRow, DrillTree} from '../model/call-paths.js';
import type {SiteIdentity} from '../model/identity.js';
import type {Grouping} from '../model/profile.js';
import {sortKeys, type SortKey} from '../model/ranking.js';
import {scopes, type Scope} from '../model/scope.js';
import type {Metric} from '../model/snapshot.js';

export type WindowChoice = {readonly label: string; readonly ms: number};

export const windows: readonly WindowChoice[] = [
	{label: '1m', ms: 60_000},
	{label: '5m', ms: 300_000},
	{label: '15m', ms: 900_000},
	{label: '1h', ms: 3_600_000},
	{label: 'all', ms: Number.POSITIVE_INFINITY},
];

export type Pane = 'table' | 'compare';

export type ViewState = {
	readonly sort: SortKey;
	readonly selected: number;
	readonly paused: boolean;
	readonly help: boolean;
	/** The help's first line shown, when it is taller than the terminal. */
	readonly helpTop: number;
	readonly windowIndex: number;
	readonly compare: boolean;
	/** Which pane the selection keys move in. */
	readonly focus: Pane;
	readonly percentile: number;
	readonly compareSort: CompareSortKey;
	readonly compareSelected: number;
	/** The metric the user asked for; the sampler follows at its next poll. */
	readonly metric: Metric;
	/** A heavy operation waiting for the user's `y`. */
	readonly confirm: HeavyOperation | undefined;
	/** `site`: functions as V8 reports them; `user`: each builtin or internal frame counted in its nearest user frame. */
	readonly grouping: Grouping;
	readonly scope: Scope;
	/** Case-insensitive text the rows' function or location must contain. */
	readonly filter: string;
	/** True while `/` is taking the filter's text. */
	readonly filtering: boolean;
	/** Only allocations under call paths through this function (Cloud Profiler's "focus"). */
	readonly focusSite: SiteIdentity | undefined;
	/** The drill-down's breadcrumb: the site opened last is shown. */
	readonly drill: readonly DrillState[];
	/** Show generated locations instead of source-mapped ones. */
	readonly generated: boolean;
	/** The log pane (the spawned program's output) is shown instead of the table. */
	readonly log: boolean;
	/** How many lines the log pane is scrolled back from the end; 0 follows the end as lines arrive. */
	readonly logBack: number;
	/** What the last key did, when the screen would not show it otherwise: said on the status line until the next key. */
	readonly said: string | undefined;
};

export type DrillState = {
	readonly site: SiteIdentity;
	readonly tree: DrillTree;
	/** Path keys of the expanded tree nodes; the root always is. */
	readonly expanded: ReadonlySet<string>;
	readonly selected: number;
	/** The snapshot whose profile it reads, opened from the comparison at a spike; the latest one otherwise. */
	readonly peakTime?: number;
};

/** What asks before it runs: each pauses the target (a profile now costs a full GC, like every poll). */
export type HeavyOperation = 'heap-snapshot' | 'collect-garbage' | 'profile-now' | 'switch-metric';

export type Action =
	| {readonly type: 'move'; readonly by: number}
	| {readonly type: 'move-to'; readonly index: number}
	| {readonly type: 'cycle-sort'}
	| {readonly type: 'toggle-pause'}
	| {readonly type: 'toggle-help'}
	| {readonly type: 'close-help'}
	/** Scroll the help to show from line `top` (the key handler bounds it by the terminal's size). */
	| {readonly type: 'help-top'; readonly top: number}
	| {readonly type: 'window'; readonly by: number}
	| {readonly type: 'toggle-compare'}
	| {readonly type: 'switch-focus'}
	| {readonly type: 'percentile'; readonly by: number}
	| {readonly type: 'toggle-metric'}
	| {readonly type: 'set-baseline'}
	| {readonly type: 'clear-baseline'}
	| {readonly type: 'drill-open'}
	| {readonly type: 'drill-back'}
	| {readonly type: 'drill-expand'}
	| {readonly type: 'drill-collapse'}
	| {readonly type: 'drill-tree'}
	| {readonly type: 'toggle-grouping'}
	| {readonly type: 'cycle-scope'}
	| {readonly type: 'filter-start'}
	| {readonly type: 'filter-text'; readonly text: string}
	| {readonly type: 'filter-end'; readonly keep: boolean}
	| {readonly type: 'toggle-focus'}
	| {readonly type: 'toggle-generated'}
	| {readonly type: 'toggle-log'}
	/** Scroll the log pane back (positive) or towards the end; the pane bounds it by the lines it holds. */
	| {readonly type: 'log-scroll'; readonly by: number}
	| {readonly type: 'ask'; readonly operation: HeavyOperation}
	| {readonly type: 'answer'; readonly yes: boolean}
	/** Show the previous or next target (a worker thread, another process); the store moves, the view starts afresh. */
	| {readonly type: 'switch-target'; readonly by: number}
	/** Tell the user why a key did nothing (a replay has no target to act on). */
	| {readonly type: 'say'; readonly text: string};

/** What the pure reducer needs to know of the data. */
export type ReduceContext = {
	readonly rowCount: number;
	readonly compareRowCount: number;
	readonly hasBaseline: boolean;
	/** The site under the selection of the pane in use (table, comparison or drill-down). */
	readonly selectedSite?: SiteIdentity;
	readonly drillRows?: readonly DrillRow[];
	/** The time of the comparison's heaviest snapshot whose profile is kept: Enter there opens it as it was. */
	readonly peakTime?: number;
	/** Some location on screen has a source-mapped original. */
	readonly hasOriginals?: boolean;
};

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(high, value));

function cycle<T>(keys: readonly T[], current: T): T {
	return keys[(keys.indexOf(current) + 1) % keys.length]!;
}

/** Replaces the drill-down's top entry. */
function updateDrill(view: ViewState, update: (drill: DrillState) => DrillState): ViewState {
	const top = view.drill.at(-1);
	return top === undefined ? view : {...view, drill: [...view.drill.slice(0, -1), update(top)]};
}

/**
 * Moves the selection of the focused pane to `index`, kept within the rows: a move past either end stops there.
 * `fromEnd`: a negative index counts from the end (End: -1 is the last row).
 */
function select(view: ViewState, index: number, context: ReduceContext, fromEnd = false): ViewState {
	const place = (count: number) => clamp(fromEnd && index < 0 ? count + index : index, 0, Math.max(0, count - 1));
	if (view.drill.length > 0) {
		const count = context.drillRows?.length ?? 0;
		return updateDrill(view, drill => ({...drill, selected: place(count)}));
	}

	const count = view.focus === 'compare' ? context.compareRowCount : context.rowCount;
	const selected = place(count);
	return view.focus === 'compare' ? {...view, compareSelected: selected} : {...view, selected};
}

/** The pure part: view state changes; `context` bounds the selections and says which sorts make sense. */
export function reduce(view: ViewState, action: Action, context: ReduceContext): ViewState {
	return act(view.said === undefined ? view : {...view, said: undefined}, action, context);
}

/** What a key says it did, where the view alone would not show it. */
function saying(view: ViewState, action: Action, context: ReduceContext): string | undefined {
	switch (action.type) {
		case 'toggle-generated': {
			return context.hasOriginals === true
				? (view.generated ? 'o: generated locations (o again: source-mapped)' : 'o: source-mapped locations (o again: generated)')
				: 'o: nothing here is source-mapped (no //# sourceMappingURL in the scripts read)';
		}

		case 'percentile': {
			return `comparing every snapshot with the heaviest ${formatShare(100 - view.percentile)}% (c shows the comparison)`;
		}

		case 'say': {
			return action.text;
		}

		case 'toggle-grouping': {
			// Counted in the user's frames, the status line says so for as long as it lasts.
			return view.grouping === 'site' ? 'u: every function as V8 reports it (u again: builtins and internals counted in your frames)' : undefined;
		}

		default: {
			return undefined;
		}
	}
}

const formatShare = (share: number) => String(Number(share.toFixed(1)));

function act(view: ViewState, action: Action, context: ReduceContext): ViewState {
	const next = transition(view, action, context);
	const said = saying(next, action, context);
	return said === undefined ? next : {...next, said};
}

function transition(view: ViewState, action: Action, context: ReduceContext): ViewState {
	switch (action.type) {
		case 'move': {
			const current = view.drill.at(-1)?.selected ?? (view.focus === 'compare' ? view.compareSelected : view.selected);
			return select(view, current + action.by, context);
		}

		case 'drill-open': {
			const site = context.selectedSite;
			const top = view.drill.at(-1);
			// A drill-down opened at a spike stays at it as it goes deeper.
			const peakTime = top === undefined ? (view.compare && view.focus === 'compare' ? context.peakTime : undefined) : top.peakTime;
			return site === undefined ? view : {...view, drill: [...view.drill, {site, tree: 'callers', expanded: new Set(), selected: 0, ...(peakTime === undefined ? {} : {peakTime})}]};
		}

		case 'drill-back': {
			return {...view, drill: view.drill.slice(0, -1)};
		}

		case 'drill-expand':
		case 'drill-collapse': {
			const row = context.drillRows?.[view.drill.at(-1)?.selected ?? -1];
			if (row === undefined || row.depth === 0) {
				return view;
			}

			return updateDrill(view, drill => {
				const expanded = new Set(drill.expanded);
				if (action.type === 'drill-expand') {
					expanded.add(row.path);
				} else {
					expanded.delete(row.path);
				}

				return {...drill, expanded};
			});
		}

		case 'drill-tree': {
			return updateDrill(view, drill => ({...drill, tree: drill.tree === 'callers' ? 'callees' : 'callers', expanded: new Set(), selected: 0}));
		}

		case 'toggle-grouping': {
			return {...view, grouping: view.grouping === 'site' ? 'user' : 'site', selected: 0, focusSite: undefined};
		}

		case 'cycle-scope': {
			return {...view, scope: cycle(scopes, view.scope), selected: 0};
		}

		case 'filter-start': {
			return {...view, filtering: true, selected: 0};
		}

		case 'filter-text': {
			return {...view, filter: action.text, selected: 0};
		}

		case 'filter-end': {
			return {...view, filtering: false, filter: action.keep ? view.filter : ''};
		}

		case 'toggle-focus': {
			return {...view, focusSite: view.focusSite === undefined ? context.selectedSite : undefined, selected: 0};
		}

		case 'toggle-generated': {
			return {...view, generated: !view.generated};
		}

		case 'switch-target': {
			// Another isolate's sites: a selection, focus or drill-down in this one's means nothing there.
			return {...view, selected: 0, compareSelected: 0, drill: [], focusSite: undefined};
		}

		case 'say': {
			return view;
		}

		case 'move-to': {
			return select(view, action.index, context, true);
		}

		case 'cycle-sort': {
			if (view.focus === 'compare') {
				return {...view, compareSort: cycle(compareSortKeys, view.compareSort), compareSelected: 0};
			}

			const keys = context.hasBaseline ? sortKeys : sortKeys.filter(key => key !== 'baseline');
			return {...view, sort: cycle(keys, view.sort), selected: 0};
		}

		case 'toggle-compare': {
			return {...view, compare: !view.compare, focus: view.compare ? 'table' : 'compare'};
		}

		case 'switch-focus': {
			return view.compare ? {...view, focus: view.focus === 'compare' ? 'table' : 'compare'} : view;
		}

		case 'percentile': {
			const next = action.by > 0
				? percentiles.find(value => value > view.percentile) ?? percentiles.at(-1)!
				: [...percentiles].reverse().find(value => value < view.percentile) ?? percentiles[0]!;
			return {...view, percentile: next};
		}

		case 'toggle-metric': {
			return {...view, metric: view.metric === 'retained' ? 'allocated' : 'retained'};
		}

		case 'set-baseline': {
			return {...view, sort: 'baseline', selected: 0};
		}

		case 'clear-baseline': {
			return view.sort === 'baseline' ? {...view, sort: 'leak', selected: 0} : view;
		}

		case 'ask': {
			return {...view, confirm: action.operation};
		}

		case 'answer': {
			return {...view, confirm: undefined};
		}

		case 'toggle-pause': {
			return {...view, paused: !view.paused};
		}

		case 'toggle-log': {
			return {...view, log: !view.log, logBack: 0};
		}

		case 'log-scroll': {
			return {...view, logBack: Math.max(0, view.logBack + action.by)};
		}

		case 'toggle-help': {
			return {...view, help: !view.help, helpTop: 0};
		}

		case 'help-top': {
			return {...view, helpTop: Math.max(0, action.top)};
		}

		case 'close-help': {
			return {...view, help: false};
		}

		case 'window': {
			return {...view, windowIndex: clamp(view.windowIndex + action.by, 0, windows.length - 1)};
		}
	}
}

export const initialView: ViewState = {
	sort: 'leak', selected: 0, paused: false, help: false, helpTop: 0, windowIndex: 1,
	compare: false, focus: 'table', percentile: defaultPercentile, compareSort: 'delta', compareSelected: 0, metric: 'retained',
	confirm: undefined, grouping: 'site', scope: 'all', filter: '', filtering: false, focusSite: undefined, drill: [], generated: false, log: false, logBack: 0, said: undefined,
};

