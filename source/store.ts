import {offHeapHint} from './off-heap.js';
import {aggregateProfile, type Aggregate} from './profile.js';
import {rankSites, sortKeys, type SiteRow, type SortKey} from './ranking.js';
import type {RawSnapshot} from './sampler.js';
import {History, type Gauges, type Point} from './series.js';

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
	readonly history: History;
	readonly latest: RawSnapshot | undefined;
	readonly latestAggregate: Aggregate | undefined;
	readonly firstGauges: Gauges | undefined;
	readonly snapshots: number;
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

export type ViewState = {
	readonly sort: SortKey;
	readonly selected: number;
	readonly paused: boolean;
	readonly help: boolean;
	readonly windowIndex: number;
};

export type State = {
	readonly targets: readonly TargetState[];
	/** Index of the target the view shows. */
	readonly active: number;
	readonly view: ViewState;
};

/** What the views draw for the active target: derived from the state, frozen while paused. */
export type DataView = {
	readonly target: TargetState;
	readonly rows: readonly SiteRow[];
	readonly points: readonly Point[];
	readonly window: WindowChoice;
	/** Said when memory grows outside the JS heap, where the table cannot show it. */
	readonly offHeap: string | undefined;
};

export type Action =
	| {readonly type: 'move'; readonly by: number}
	| {readonly type: 'move-to'; readonly index: number}
	| {readonly type: 'cycle-sort'}
	| {readonly type: 'toggle-pause'}
	| {readonly type: 'toggle-help'}
	| {readonly type: 'close-help'}
	| {readonly type: 'window'; readonly by: number};

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(high, value));

/** The pure part: view state changes. `rowCount` bounds the selection. */
export function reduce(view: ViewState, action: Action, rowCount: number): ViewState {
	switch (action.type) {
		case 'move': {
			return {...view, selected: clamp(view.selected + action.by, 0, Math.max(0, rowCount - 1))};
		}

		case 'move-to': {
			return {...view, selected: clamp(action.index < 0 ? rowCount + action.index : action.index, 0, Math.max(0, rowCount - 1))};
		}

		case 'cycle-sort': {
			return {...view, sort: sortKeys[(sortKeys.indexOf(view.sort) + 1) % sortKeys.length]!, selected: 0};
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

export const initialView: ViewState = {sort: 'leak', selected: 0, paused: false, help: false, windowIndex: 1};

/** Derives the table and chart data of a target over a window. */
export function deriveData(target: TargetState, view: ViewState): DataView {
	const window = windows[view.windowIndex]!;
	const latestTime = target.history.latest?.time ?? 0;
	const points = target.history.points(latestTime - window.ms);
	const rows = target.latestAggregate === undefined
		? []
		: rankSites(target.history, target.latestAggregate, points, view.sort, target.latest?.samplingInterval ?? 1);
	return {target, rows, points, window, offHeap: offHeapHint(points)};
}

export type StoreSnapshot = {readonly state: State; readonly data: DataView | undefined};

export type Store = {
	subscribe(listener: () => void): () => void;
	getSnapshot(): StoreSnapshot;
	dispatch(action: Action): void;
	addTarget(info: TargetInfo, attachedAt?: number): void;
	ingest(snapshot: RawSnapshot): void;
	notice(targetId: string, message: string): void;
	exited(targetId: string, reason: string): void;
	gap(targetId: string): void;
};

function gaugesOf(snapshot: RawSnapshot): Gauges {
	return {
		heapUsed: snapshot.heap.usedSize,
		heapTotal: snapshot.heap.totalSize,
		rss: snapshot.process?.memory.rss ?? Number.NaN,
		external: snapshot.process?.memory.external ?? Number.NaN,
		arrayBuffers: snapshot.process?.memory.arrayBuffers ?? Number.NaN,
	};
}

/**
 * The one store of snapshots the UI and the report read. Snapshots of any number of targets come in through
 * `ingest`; `getSnapshot` returns the same object until something changed (useSyncExternalStore's contract).
 */
export function createStore(historyOptions?: ConstructorParameters<typeof History>[0]): Store {
	let state: State = {targets: [], active: 0, view: initialView};
	let snapshot: StoreSnapshot = {state, data: undefined};
	let frozen: DataView | undefined;
	const listeners = new Set<() => void>();

	const publish = (next: State) => {
		state = next;
		const target = state.targets[state.active];
		let data: DataView | undefined;
		if (target !== undefined) {
			data = state.view.paused && frozen !== undefined ? frozen : deriveData(target, state.view);
			frozen = state.view.paused ? data : undefined;
		}

		snapshot = {state, data};
		for (const listener of listeners) {
			listener();
		}
	};

	const updateTarget = (id: string, update: (target: TargetState) => TargetState) => {
		publish({...state, targets: state.targets.map(target => (target.info.id === id ? update(target) : target))});
	};

	return {
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot: () => snapshot,
		dispatch(action) {
			const view = reduce(state.view, action, snapshot.data?.rows.length ?? 0);
			if (view.sort !== state.view.sort || view.windowIndex !== state.view.windowIndex) {
				// A new sort or window is a new question: answer it even while paused.
				frozen = undefined;
			}

			if (view !== state.view) {
				publish({...state, view});
			}
		},
		addTarget(info, attachedAt = Date.now()) {
			const target: TargetState = {
				info, attachedAt, history: new History(historyOptions), latest: undefined, latestAggregate: undefined,
				firstGauges: undefined, snapshots: 0, status: {kind: 'sampling'}, notice: undefined,
			};
			publish({...state, targets: [...state.targets, target]});
		},
		ingest(raw) {
			const aggregate = aggregateProfile(raw.profile);
			updateTarget(raw.targetId, target => {
				const gauges = gaugesOf(raw);
				target.history.add(raw.time, aggregate, gauges);
				return {...target, latest: raw, latestAggregate: aggregate, firstGauges: target.firstGauges ?? gauges, snapshots: target.snapshots + 1};
			});
		},
		notice(targetId, message) {
			updateTarget(targetId, target => ({...target, notice: message}));
		},
		exited(targetId, reason) {
			updateTarget(targetId, target => ({...target, status: {kind: 'exited', reason}}));
		},
		gap(targetId) {
			updateTarget(targetId, target => {
				target.history.markGap();
				return target;
			});
		},
	};
}
