import type {LeaktopEvent} from '../events.js';
import type {HistoryOptions} from '../model/history.js';
import type {OriginalLocation, SourceText} from '../model/location.js';
import {createModel, type Model, type TargetState} from '../model/target.js';
import {targetLabel} from '../model/target-name.js';
import type {Comparison} from '../model/compare.js';
import {mergedComparison, mergedSites, suspectCount, type Merged} from '../model/merged.js';
import type {SiteRow} from '../model/ranking.js';
import {deriveData, selectedSite, type DataView} from './derive.js';
import {initialView, reduce, type Action, type HeavyOperation, type ViewState} from './view-state.js';

export type State = {
	readonly targets: readonly TargetState[];
	/** Index of the target the view shows. */
	readonly active: number;
	/** The all-targets view is shown instead (with several targets); `active` stays for when it is left. */
	readonly showAll: boolean;
	/** The user chose the target shown (, .): until then the view follows a target that leaks. */
	readonly chosen: boolean;
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

export type StoreSnapshot = {
	readonly state: State;
	readonly data: DataView | undefined;
	/** The sites of every target merged, while the all-targets view is shown. */
	readonly merged: ReadonlyArray<Merged<SiteRow>> | undefined;
	/** The comparison across every target's snapshots, while the all-targets view shows it. */
	readonly mergedComparison: Comparison | undefined;
};

export type Store = {
	subscribe(listener: () => void): () => void;
	getSnapshot(): StoreSnapshot;
	dispatch(action: Action | Effect): void;
	/** Listens for the effects dispatched; returns the unsubscribe. */
	onEffect(listener: (effect: Effect) => void): () => void;
	/** Hands an event to the model and shows what it changed. */
	apply(event: LeaktopEvent): void;
	/** Hands many to the model (a replay opening or seeking), then shows the outcome once. */
	applyAll(events: readonly LeaktopEvent[]): void;
	/** Forgets everything sampled from a target (a replay seeking back), keeping who it is. */
	reset(targetId: string): void;
	setReplay(status: ReplayStatus): void;
	addOriginals(entries: ReadonlyArray<readonly [string, OriginalLocation]>): void;
	setSource(url: string, text: SourceText): void;
};

/** The all-targets view is shown: asked for, with several targets to show. */
export function showingAll(state: State): boolean {
	return state.showAll && state.targets.length > 1;
}

/** Actions that only move a selection or show and hide things: a paused view stays frozen through them. */
const selectionOnly = new Set<string>(['move', 'move-to', 'toggle-pause', 'toggle-help', 'close-help', 'help-top', 'switch-focus', 'toggle-compare', 'ask', 'answer', 'say']);

/**
 * The UI's store: view state, and what the views draw derived from the model it wraps. `getSnapshot` returns
 * the same object until something changed (useSyncExternalStore's contract); while paused, the data stays the
 * one derived when the pause began.
 */
export function createStore(options: {readonly history?: HistoryOptions; readonly view?: Partial<ViewState>; readonly mode?: Mode; readonly model?: Model} = {}): Store {
	const model = options.model ?? createModel({history: options.history});
	let state: State = {
		targets: model.targets, active: 0, showAll: false, chosen: false, view: {...initialView, ...options.view}, mode: options.mode ?? 'live', replay: undefined,
		originals: new Map(), sources: new Map(),
	};
	const effectListeners = new Set<(effect: Effect) => void>();
	let snapshot: StoreSnapshot = {state, data: undefined, merged: undefined, mergedComparison: undefined};
	let frozen: DataView | undefined;
	const listeners = new Set<() => void>();

	// The comparison across targets, recomputed only when a profile, the percentile or the sort changed.
	let across: {key: readonly unknown[]; comparison: Comparison} | undefined;
	const comparisonAcross = (current: State): Comparison => {
		const key = [current.view.percentile, current.view.compareSort, ...current.targets.map(target => target.latest)];
		if (across === undefined || across.key.length !== key.length || across.key.some((part, index) => part !== key[index])) {
			across = {key, comparison: mergedComparison(current.targets, current.view.percentile, current.view.compareSort)};
		}

		return across.comparison;
	};

	const publish = (next: State) => {
		state = next;
		const target = state.targets[state.active];
		let data: DataView | undefined;
		if (target !== undefined) {
			data = state.view.paused && frozen !== undefined ? frozen : deriveData(target, state.view, state.originals, state.targets);
			frozen = state.view.paused ? data : undefined;
		}

		const all = showingAll(state);
		// Paused, the merged view stays as it was, as one target's does.
		const keep = state.view.paused && snapshot.merged !== undefined && all;
		snapshot = {
			state, data,
			merged: all ? (keep ? snapshot.merged : mergedSites(state.targets)) : undefined,
			mergedComparison: all && state.view.compare ? (keep && snapshot.mergedComparison !== undefined ? snapshot.mergedComparison : comparisonAcross(state)) : undefined,
		};
		for (const listener of listeners) {
			listener();
		}
	};

	const publishModel = () => {
		// The view stays on its target when others come or go before it in the list; when the target itself
		// went (an ended worker dropped), the view starts afresh on the first.
		const shown = state.targets[state.active]?.info.id;
		const index = model.targets.findIndex(target => target.info.id === shown);
		if (index < 0 && shown !== undefined) {
			frozen = undefined;
			publish({...state, targets: model.targets, active: 0, view: reduce(state.view, {type: 'switch-target', by: 0}, {rowCount: 0, compareRowCount: 0, hasBaseline: false})});
			return;
		}

		const next = following(model.targets, Math.max(0, index));
		if (next !== Math.max(0, index)) {
			// Another target is another set of sites: the selection, drill-down and focus start afresh, as on , .
			frozen = undefined;
			publish({...state, targets: model.targets, active: next, view: reduce(state.view, {type: 'switch-target', by: 0}, {rowCount: 0, compareRowCount: 0, hasBaseline: false})});
			return;
		}

		publish({...state, targets: model.targets, active: next});
	};

	// Until the user picks a target, the view goes to one that leaks when the one shown does not (a leaking
	// worker beside an idle main thread), as the judgement sees it.
	const following = (targets: readonly TargetState[], index: number): number => {
		const shown = targets[index];
		// Never from under the user's hands: not while paused or inside a drill-down.
		if (shown === undefined || state.chosen || state.showAll || state.view.paused || state.view.drill.length > 0 || suspectCount(shown) > 0) {
			return index;
		}

		const leaking = targets.findIndex(target => suspectCount(target) > 0);
		return leaking < 0 ? index : leaking;
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
			if (showingAll(state) && (action.type === 'export' || action.type === 'ask' || action.type === 'set-baseline')) {
				// Each acts on one target's profile or inspector: the merged view has none of its own.
				publish({...state, view: reduce(state.view, {type: 'say', text: 'choose a target first (, .): exports, heap snapshots, GCs and baselines act on one'}, {rowCount: 0, compareRowCount: 0, hasBaseline: false})});
				return;
			}

			if (isEffect(action)) {
				for (const listener of effectListeners) {
					listener(action);
				}

				return;
			}

			if (action.type === 'answer' && action.yes && state.view.confirm !== undefined) {
				const operation = state.view.confirm;
				const answered = reduce(state.view, action, {rowCount: 0, compareRowCount: 0, hasBaseline: false});
				// Switching the metric: the view says it comes at the next poll meanwhile; the run tells the sampler.
				publish({...state, view: operation === 'switch-metric' ? reduce(answered, {type: 'toggle-metric'}, {rowCount: 0, compareRowCount: 0, hasBaseline: false}) : answered});
				for (const listener of effectListeners) {
					listener({type: 'heavy', operation});
				}

				return;
			}

			if (action.type === 'switch-target') {
				const count = state.targets.length;
				if (count < 2) {
					publish({...state, view: reduce(state.view, {type: 'say', text: ', .: one target only (worker threads and child processes join the bar on top as they start)'}, {rowCount: 0, compareRowCount: 0, hasBaseline: false})});
					return;
				}

				// The targets in turn, then all of them at once.
				frozen = undefined;
				const next = ((((state.showAll ? count : state.active) + action.by) % (count + 1)) + count + 1) % (count + 1);
				const shown = next === count ? `all ${count} targets, their sites merged` : `target ${next + 1} of ${count}: ${targetLabel(state.targets[next]!, '')}`;
				const view = reduce(reduce(state.view, action, {rowCount: 0, compareRowCount: 0, hasBaseline: false}), {type: 'say', text: `${shown} (, . step)`}, {rowCount: 0, compareRowCount: 0, hasBaseline: false});
				publish({...state, chosen: true, showAll: next === count, active: next === count ? state.active : next, view});
				return;
			}

			const active = state.targets[state.active];
			if (action.type === 'set-baseline' || action.type === 'clear-baseline') {
				if (active === undefined || !model.setBaseline(active.info.id, action.type === 'set-baseline')) {
					return;
				}

				state = {...state, targets: model.targets};
				frozen = undefined;
			}

			const view = reduce(state.view, action, {
				rowCount: (snapshot.merged ?? snapshot.data?.rows)?.length ?? 0,
				compareRowCount: (snapshot.mergedComparison ?? snapshot.data?.comparison)?.rows.length ?? 0,
				hasBaseline: state.targets[state.active]?.baseline !== undefined,
				// The merged sites have no single call tree to drill into.
				selectedSite: showingAll(state) ? undefined : selectedSite(state.view, snapshot.data),
				drillRows: snapshot.data?.drill?.rows,
				peakTime: snapshot.data?.peakTime,
				hasOriginals: state.originals.size > 0,
			});
			if (!selectionOnly.has(action.type)) {
				// A new sort, window, grouping, filter or drill-down is a new question: answer it even while paused.
				frozen = undefined;
			}

			if (view !== state.view || action.type === 'set-baseline' || action.type === 'clear-baseline') {
				publish({...state, view});
			}
		},
		apply(event) {
			model.apply(event);
			publishModel();
		},
		applyAll(events) {
			for (const event of events) {
				model.apply(event);
			}

			publishModel();
		},
		reset(targetId) {
			frozen = undefined;
			model.reset(targetId);
			publishModel();
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
	};
}
