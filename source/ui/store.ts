import {compareSortKeys, comparePoints, defaultPercentile, percentiles, type CompareSortKey, type Comparison} from '../model/compare.js';
import {offHeapHint} from '../model/off-heap.js';
import {bytesUnder, calleesOf, callersOf, drillRows, userFrameOf, type DrillRow, type DrillTree} from '../model/call-paths.js';
import {filterRows, focusRows, scopeRows, scopes, type Scope} from '../model/scope.js';
import {aggregateProfile, fillUrls, scaleAggregate, type Aggregate, type Grouping, type SiteIdentity} from '../model/profile.js';
import {bucketOptions, rankSites, sortKeys, type Baseline, type SiteRow, type SortKey} from '../model/ranking.js';
import type {OriginalLocation, SourceText} from '../model/location.js';
import type {Metric, RawSnapshot} from '../sample/sampler.js';
import {History, type Gauges, type HistoryOptions, type Point} from '../model/history.js';

export type TargetInfo = {
	readonly id: string;
	readonly title: string;
	readonly url: string;
	readonly pid: number | undefined;
	/** Where a spawned target's output goes. */
	readonly logPath: string | undefined;
	/** Other targets the inspector listed that were not taken. */
	readonly otherTargets: number;
};

export type TargetStatus =
	| {readonly kind: 'sampling'}
	| {readonly kind: 'exited'; readonly reason: string};

/** Everything known about one target. The history is owned here and grows in place; `revision` marks change. */
export type TargetState = {
	readonly info: TargetInfo;
	readonly attachedAt: number;
	/** Retained bytes per site over time. */
	readonly history: History;
	/** Bytes allocated per second per site, over each interval, while the allocated metric is measured. */
	readonly allocations: History;
	/** The same two, with builtins and Node internals counted in their nearest user frame. */
	readonly grouped: {readonly retained: History; readonly allocated: History};
	/** Script id to URL, for the life of the session: names frames whose URL a later profile dropped. */
	readonly scripts: Map<string, string>;
	readonly latestGroupedAggregate: Aggregate | undefined;
	/** The metric of the latest snapshot. */
	readonly metric: Metric;
	/** Bytes allocated per second between the last two polls, when known. */
	readonly allocationRate: number | undefined;
	readonly baseline: Baseline | undefined;
	readonly latest: RawSnapshot | undefined;
	readonly latestAggregate: Aggregate | undefined;
	readonly firstGauges: Gauges | undefined;
	readonly snapshots: number;
	/** Sum of every poll's round trip: the time leaktop held the target paused. */
	readonly pollMsTotal: number;
	/** The first poll, which pays for the whole heap at once, apart from the governed ones after it. */
	readonly firstPoll: {readonly ms: number; readonly endedAt: number} | undefined;
	readonly status: TargetStatus;
	readonly notice: string | undefined;
};

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
};

export type DrillState = {
	readonly site: SiteIdentity;
	readonly tree: DrillTree;
	/** Path keys of the expanded tree nodes; the root always is. */
	readonly expanded: ReadonlySet<string>;
	readonly selected: number;
};

export type HeavyOperation = 'heap-snapshot' | 'collect-garbage';

export type State = {
	readonly targets: readonly TargetState[];
	/** Index of the target the view shows. */
	readonly active: number;
	readonly view: ViewState;
	/** live: attached to a target; replay: showing a recording, whose player answers the replay keys. */
	readonly mode: Mode;
	readonly replay: ReplayStatus | undefined;
	/** Source-mapped locations, by site key, as the CLI resolves them. */
	readonly originals: ReadonlyMap<string, OriginalLocation>;
	/** Script texts for the drill-down, by URL, as the CLI reads them. */
	readonly sources: ReadonlyMap<string, SourceText>;
};

export type Mode = 'live' | 'replay';

/** Where a replay stands: `position` snapshots of `count` shown. */
export type ReplayStatus = {readonly position: number; readonly count: number; readonly playing: boolean; readonly speed: number};

/**
 * Commands the store cannot carry out by itself, because they act on the world (the replay's clock, files):
 * the CLI listens for them and does the work.
 */
export type Effect =
	| {readonly type: 'replay-toggle'}
	| {readonly type: 'replay-step'; readonly by: number}
	| {readonly type: 'replay-jump'; readonly to: 'start' | 'end'}
	| {readonly type: 'replay-speed'; readonly by: number}
	| {readonly type: 'export'}
	| {readonly type: 'heavy'; readonly operation: HeavyOperation};

const effectTypes = new Set<string>(['replay-toggle', 'replay-step', 'replay-jump', 'replay-speed', 'export', 'heavy']);

function isEffect(action: Action | Effect): action is Effect {
	return effectTypes.has(action.type);
}

/** What the views draw for the active target: derived from the state, frozen while paused. */
export type DataView = {
	readonly target: TargetState;
	readonly rows: readonly SiteRow[];
	readonly points: readonly Point[];
	readonly window: WindowChoice;
	/** Said when memory grows outside the JS heap, where the table cannot show it. */
	readonly offHeap: string | undefined;
	/** The percentile comparison over the window, in the metric being measured. */
	readonly comparison: Comparison;
	/** The drill-down, when one is open. */
	readonly drill: DrillView | undefined;
	/** Every site's row before scope, focus and filter: what a drill-down reads its growth from. */
	readonly allRows: readonly SiteRow[];
	/** For the builtins and V8's own frames among the rows: the nearest frame of code with a URL that calls them. */
	readonly callers: ReadonlyMap<string, SiteIdentity>;
};

export type DrillView = {
	readonly breadcrumb: readonly SiteIdentity[];
	readonly site: SiteIdentity;
	readonly tree: DrillTree;
	readonly rows: readonly DrillRow[];
	/** The site's row in the table (growth, history id), when it holds anything now. */
	readonly row: SiteRow | undefined;
};

export type Action =
	| {readonly type: 'move'; readonly by: number}
	| {readonly type: 'move-to'; readonly index: number}
	| {readonly type: 'cycle-sort'}
	| {readonly type: 'toggle-pause'}
	| {readonly type: 'toggle-help'}
	| {readonly type: 'close-help'}
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
	| {readonly type: 'ask'; readonly operation: HeavyOperation}
	| {readonly type: 'answer'; readonly yes: boolean};

/** What the pure reducer needs to know of the data. */
export type ReduceContext = {
	readonly rowCount: number;
	readonly compareRowCount: number;
	readonly hasBaseline: boolean;
	/** The site under the selection of the pane in use (table, comparison or drill-down). */
	readonly selectedSite?: SiteIdentity;
	readonly drillRows?: readonly DrillRow[];
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

/** Moves the selection of the focused pane to `index` (negative counts from the end). */
function select(view: ViewState, index: number, context: ReduceContext): ViewState {
	if (view.drill.length > 0) {
		const count = context.drillRows?.length ?? 0;
		return updateDrill(view, drill => ({...drill, selected: clamp(index < 0 ? count + index : index, 0, Math.max(0, count - 1))}));
	}

	const count = view.focus === 'compare' ? context.compareRowCount : context.rowCount;
	const selected = clamp(index < 0 ? count + index : index, 0, Math.max(0, count - 1));
	return view.focus === 'compare' ? {...view, compareSelected: selected} : {...view, selected};
}

/** The pure part: view state changes; `context` bounds the selections and says which sorts make sense. */
export function reduce(view: ViewState, action: Action, context: ReduceContext): ViewState {
	switch (action.type) {
		case 'move': {
			const current = view.drill.at(-1)?.selected ?? (view.focus === 'compare' ? view.compareSelected : view.selected);
			return select(view, current + action.by, context);
		}

		case 'drill-open': {
			const site = context.selectedSite;
			return site === undefined ? view : {...view, drill: [...view.drill, {site, tree: 'callers', expanded: new Set(), selected: 0}]};
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

		case 'move-to': {
			return select(view, action.index, context);
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

		case 'toggle-help': {
			return {...view, help: !view.help};
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
	sort: 'leak', selected: 0, paused: false, help: false, windowIndex: 1,
	compare: false, focus: 'table', percentile: defaultPercentile, compareSort: 'delta', compareSelected: 0, metric: 'retained',
	confirm: undefined, grouping: 'site', scope: 'all', filter: '', filtering: false, focusSite: undefined, drill: [], generated: false,
};

/** The history the views read: the one of the metric being measured, grouped as asked. */
export function activeHistory(target: TargetState, grouping: Grouping = 'site'): History {
	if (grouping === 'user') {
		return target.grouped[target.metric];
	}

	return target.metric === 'allocated' ? target.allocations : target.history;
}

/** What the filter matches a row's location against: its URL and line, and its source-mapped ones. */
export function locationText(site: SiteIdentity, originals: ReadonlyMap<string, OriginalLocation>): string {
	const original = originals.get(site.key);
	return `${site.url}:${site.line}${original === undefined ? '' : ` ${original.url}:${original.line}`}`;
}

function deriveDrill(target: TargetState, view: ViewState, allRows: readonly SiteRow[]): DrillView | undefined {
	const top = view.drill.at(-1);
	const profile = target.latest?.profile;
	if (top === undefined || profile === undefined) {
		return undefined;
	}

	const tree = top.tree === 'callers' ? callersOf(profile, top.site, view.grouping) : calleesOf(profile, top.site);
	const rows = drillRows(tree, top.expanded);
	return {
		breadcrumb: view.drill.map(entry => entry.site), site: top.site, tree: top.tree, rows, row: allRows.find(row => row.key === top.site.key),
	};
}

/** Derives the table, chart, comparison and drill-down data of a target over a window. */
export function deriveData(target: TargetState, view: ViewState, originals: ReadonlyMap<string, OriginalLocation> = new Map()): DataView {
	const window = windows[view.windowIndex]!;
	const history = activeHistory(target, view.grouping);
	const aggregate = view.grouping === 'user' ? target.latestGroupedAggregate : target.latestAggregate;
	const latestTime = history.latest?.time ?? 0;
	const points = history.points(latestTime - window.ms);
	const sort = view.sort === 'baseline' && target.baseline === undefined ? 'leak' : view.sort;
	const allRows = aggregate === undefined
		? []
		: rankSites(history, aggregate, points, sort, target.latest?.samplingInterval ?? 1, {
			growth: target.metric === 'retained',
			baseline: target.metric === 'retained' ? target.baseline : undefined,
		});
	let rows = scopeRows(allRows, view.scope);
	if (view.focusSite !== undefined && target.latest !== undefined) {
		rows = focusRows(rows, bytesUnder(target.latest.profile, view.focusSite, view.grouping));
	}

	rows = filterRows(rows, view.filter, row => locationText(row, originals));
	const comparison = comparePoints(points, history.sites, view.percentile, view.compareSort, bucketOptions(history, points));
	const callers = new Map<string, SiteIdentity>();
	const profile = target.latest?.profile;
	for (const row of rows) {
		const caller = profile !== undefined && (row.kind === 'builtin' || row.kind === 'pseudo') ? userFrameOf(profile, row) : undefined;
		if (caller !== undefined) {
			callers.set(row.key, caller);
		}
	}

	return {target, rows, allRows, points, window, offHeap: offHeapHint(points), comparison, drill: deriveDrill(target, view, allRows), callers};
}

export type StoreSnapshot = {readonly state: State; readonly data: DataView | undefined};

export type Store = {
	subscribe(listener: () => void): () => void;
	getSnapshot(): StoreSnapshot;
	dispatch(action: Action | Effect): void;
	/** Listens for the effects dispatched; returns the unsubscribe. */
	onEffect(listener: (effect: Effect) => void): () => void;
	addTarget(info: TargetInfo, attachedAt?: number): void;
	/** Forgets everything sampled from a target (a replay seeking back), keeping who it is. */
	reset(targetId: string): void;
	setReplay(status: ReplayStatus): void;
	addOriginals(entries: ReadonlyArray<readonly [string, OriginalLocation]>): void;
	setSource(url: string, text: SourceText): void;
	ingest(snapshot: RawSnapshot): void;
	notice(targetId: string, message: string): void;
	exited(targetId: string, reason: string): void;
	/** The target is sampled again (it came back after exiting). */
	resumed(targetId: string): void;
	gap(targetId: string): void;
};

/** Actions that only move a selection or show and hide things: a paused view stays frozen through them. */
const selectionOnly = new Set<string>(['move', 'move-to', 'toggle-pause', 'toggle-help', 'close-help', 'switch-focus', 'toggle-compare', 'ask', 'answer']);

/** The site under the selection of the pane in use. */
function selectedSite(view: ViewState, data: DataView | undefined): SiteIdentity | undefined {
	if (data?.drill !== undefined) {
		return data.drill.rows[Math.min(view.drill.at(-1)?.selected ?? 0, data.drill.rows.length - 1)]?.site;
	}

	return view.compare && view.focus === 'compare' ? data?.comparison.rows[view.compareSelected] : data?.rows[view.selected];
}

/**
 * Bytes allocated per second before this poll: in the allocated metric, the profile's whole weight (already
 * per second); in the retained one, a lower bound from the running count of the samples still alive
 * (Δ max ordinal × interval): samples of objects that died young are gone from the profile.
 */
function allocationRate(previous: RawSnapshot | undefined, previousAggregate: Aggregate | undefined, raw: RawSnapshot, aggregate: Aggregate): number | undefined {
	if (raw.metric === 'allocated') {
		return aggregate.totalBytes;
	}

	if (previous === undefined || previousAggregate === undefined || previous.metric !== 'retained' || raw.time <= previous.time) {
		return undefined;
	}

	const counted = aggregate.maxOrdinal - previousAggregate.maxOrdinal;
	// A lower count means the sampler restarted: the difference says nothing.
	return counted < 0 ? undefined : (counted * raw.samplingInterval * 1000) / (raw.time - previous.time);
}

/** The live bytes of every site now, to compare later snapshots against. */
function baselineOf(target: TargetState | undefined): Baseline | undefined {
	const point = target?.history.latest;
	return point === undefined || target?.metric !== 'retained' ? undefined : {time: point.time, bytes: Float32Array.from(point.mean)};
}

function gaugesOf(snapshot: RawSnapshot): Gauges {
	return {
		heapUsed: snapshot.heap.usedSize,
		heapTotal: snapshot.heap.totalSize,
		rss: snapshot.process?.memory.rss ?? Number.NaN,
		external: snapshot.process?.memory.external ?? Number.NaN,
		arrayBuffers: snapshot.process?.memory.arrayBuffers ?? Number.NaN,
	};
}

/** What happens to a target: a live session and a replayed recording feed the store the same events. */
export type TargetEvent =
	| {readonly type: 'snapshot'; readonly snapshot: RawSnapshot}
	| {readonly type: 'notice'; readonly message: string; readonly gap: boolean}
	| {readonly type: 'exited'; readonly reason: string}
	/** Sampling again after the target came back: a break in history. */
	| {readonly type: 'attached'; readonly reason: string};

export function applyEvent(store: Store, targetId: string, event: TargetEvent): void {
	switch (event.type) {
		case 'snapshot': {
			store.ingest(event.snapshot);
			break;
		}

		case 'notice': {
			if (event.gap) {
				store.gap(targetId);
			}

			store.notice(targetId, event.message);
			break;
		}

		case 'exited': {
			store.exited(targetId, event.reason);
			break;
		}

		case 'attached': {
			store.gap(targetId);
			store.resumed(targetId);
			store.notice(targetId, event.reason);
			break;
		}
	}
}

/**
 * The one store of snapshots the UI and the report read. Snapshots of any number of targets come in through
 * `ingest`; `getSnapshot` returns the same object until something changed (useSyncExternalStore's contract).
 */
export function createStore(options: {readonly history?: HistoryOptions; readonly view?: Partial<ViewState>; readonly mode?: Mode} = {}): Store {
	const historyOptions = options.history;
	let state: State = {
		targets: [], active: 0, view: {...initialView, ...options.view}, mode: options.mode ?? 'live', replay: undefined,
		originals: new Map(), sources: new Map(),
	};
	const effectListeners = new Set<(effect: Effect) => void>();
	let snapshot: StoreSnapshot = {state, data: undefined};
	let frozen: DataView | undefined;
	const listeners = new Set<() => void>();

	const publish = (next: State) => {
		state = next;
		const target = state.targets[state.active];
		let data: DataView | undefined;
		if (target !== undefined) {
			data = state.view.paused && frozen !== undefined ? frozen : deriveData(target, state.view, state.originals);
			frozen = state.view.paused ? data : undefined;
		}

		snapshot = {state, data};
		for (const listener of listeners) {
			listener();
		}
	};

	const freshTarget = (info: TargetInfo, attachedAt: number): TargetState => ({
		info, attachedAt, history: new History(historyOptions), allocations: new History(historyOptions), metric: 'retained',
		grouped: {retained: new History(historyOptions), allocated: new History(historyOptions)}, latestGroupedAggregate: undefined, scripts: new Map(),
		allocationRate: undefined, baseline: undefined, latest: undefined, latestAggregate: undefined,
		firstGauges: undefined, snapshots: 0, pollMsTotal: 0, firstPoll: undefined, status: {kind: 'sampling'}, notice: undefined,
	});

	const updateTarget = (id: string, update: (target: TargetState) => TargetState) => {
		publish({...state, targets: state.targets.map(target => (target.info.id === id ? update(target) : target))});
	};

	return {
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot: () => snapshot,
		onEffect(listener) {
			effectListeners.add(listener);
			return () => effectListeners.delete(listener);
		},
		dispatch(action) {
			if (isEffect(action)) {
				for (const listener of effectListeners) {
					listener(action);
				}

				return;
			}

			if (action.type === 'answer' && action.yes && state.view.confirm !== undefined) {
				const operation = state.view.confirm;
				publish({...state, view: reduce(state.view, action, {rowCount: 0, compareRowCount: 0, hasBaseline: false})});
				for (const listener of effectListeners) {
					listener({type: 'heavy', operation});
				}

				return;
			}

			const active = state.targets[state.active];
			if (action.type === 'set-baseline' || action.type === 'clear-baseline') {
				const baseline = action.type === 'set-baseline' ? baselineOf(active) : undefined;
				if (active === undefined || (action.type === 'set-baseline' && baseline === undefined)) {
					return;
				}

				state = {...state, targets: state.targets.map(target => (target === active ? {...target, baseline} : target))};
				frozen = undefined;
			}

			const view = reduce(state.view, action, {
				rowCount: snapshot.data?.rows.length ?? 0,
				compareRowCount: snapshot.data?.comparison.rows.length ?? 0,
				hasBaseline: state.targets[state.active]?.baseline !== undefined,
				selectedSite: selectedSite(state.view, snapshot.data),
				drillRows: snapshot.data?.drill?.rows,
			});
			if (!selectionOnly.has(action.type)) {
				// A new sort, window, grouping, filter or drill-down is a new question: answer it even while paused.
				frozen = undefined;
			}

			if (view !== state.view || action.type === 'set-baseline' || action.type === 'clear-baseline') {
				publish({...state, view});
			}
		},
		addTarget(info, attachedAt = Date.now()) {
			publish({...state, targets: [...state.targets, freshTarget(info, attachedAt)]});
		},
		reset(targetId) {
			frozen = undefined;
			updateTarget(targetId, target => freshTarget(target.info, target.attachedAt));
		},
		setReplay(replay) {
			publish({...state, replay});
		},
		addOriginals(entries) {
			if (entries.length > 0) {
				frozen = undefined;
				publish({...state, originals: new Map([...state.originals, ...entries])});
			}
		},
		setSource(url, text) {
			publish({...state, sources: new Map([...state.sources, [url, text]])});
		},
		ingest(raw) {
			const scripts = state.targets.find(target => target.info.id === raw.targetId)?.scripts;
			if (scripts !== undefined) {
				fillUrls(raw.profile, scripts);
			}

			const perSecond = 1000 / Math.max(1, raw.time - raw.since);
			const [aggregate, grouped] = (['site', 'user'] as const).map(grouping => {
				const counted = aggregateProfile(raw.profile, grouping);
				return raw.metric === 'allocated' ? scaleAggregate(counted, perSecond) : counted;
			}) as [Aggregate, Aggregate];
			updateTarget(raw.targetId, target => {
				const gauges = gaugesOf(raw);
				(raw.metric === 'allocated' ? target.allocations : target.history).add(raw.time, aggregate, gauges);
				target.grouped[raw.metric].add(raw.time, grouped, gauges);
				return {
					...target, latest: raw, latestAggregate: aggregate, latestGroupedAggregate: grouped, firstGauges: target.firstGauges ?? gauges, snapshots: target.snapshots + 1,
					pollMsTotal: target.pollMsTotal + raw.governor.lastPollMs, firstPoll: target.firstPoll ?? {ms: raw.governor.lastPollMs, endedAt: raw.time},
					metric: raw.metric,
					allocationRate: allocationRate(target.latest, target.latestAggregate, raw, aggregate),
				};
			});
		},
		notice(targetId, message) {
			updateTarget(targetId, target => ({...target, notice: message}));
		},
		exited(targetId, reason) {
			updateTarget(targetId, target => ({...target, status: {kind: 'exited', reason}}));
		},
		resumed(targetId) {
			updateTarget(targetId, target => ({...target, status: {kind: 'sampling'}}));
		},
		gap(targetId) {
			updateTarget(targetId, target => {
				target.history.markGap();
				target.allocations.markGap();
				target.grouped.retained.markGap();
				target.grouped.allocated.markGap();
				return target;
			});
		},
	};
}
