import {bytesUnder, calleesOf, callersOf, drillRows, rowFrame, type DrillRow, type DrillTree} from '../model/call-paths.js';
import {comparePoints, type Comparison} from '../model/compare.js';
import type {Point} from '../model/history.js';
import type {OriginalLocation} from '../model/location.js';
import {offHeapHint, workersHeapGrowth} from '../model/off-heap.js';
import type {SiteIdentity} from '../model/identity.js';
import {bucketOptions, rankSites, type SiteRow} from '../model/ranking.js';
import {filterRows, focusRows, scopeRows} from '../model/scope.js';
import {judgementOf} from '../model/judged.js';
import {activeHistory, workersOf, type Reading, type TargetState} from '../model/target.js';
import {windows, type ViewState, type WindowChoice} from './view-state.js';

/** What the views draw for the active target: derived from the state, frozen while paused. */
export type DataView = {
	readonly target: TargetState;
	readonly rows: readonly SiteRow[];
	readonly points: readonly Point[];
	/** The heap's figures over the same window, once a second: what the chart draws them from. */
	readonly readings: readonly Reading[];
	readonly window: WindowChoice;
	/** Said when memory grows outside the JS heap, where the table cannot show it. */
	readonly offHeap: string | undefined;
	/** The percentile comparison over the window, in the metric being measured. */
	readonly comparison: Comparison;
	/** When the comparison's heaviest snapshot was taken, if its profile is kept (the drill-down then opens at it). */
	readonly peakTime: number | undefined;
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
	/** The spike it shows the call paths at, opened from the comparison: the snapshot's time and sampled bytes. */
	readonly peak: {readonly time: number; readonly weight: number} | undefined;
};

/** What the filter matches a row's location against: its URL and line, and its source-mapped ones. */
export function locationText(site: SiteIdentity, originals: ReadonlyMap<string, OriginalLocation>): string {
	const original = originals.get(site.key);
	return `${site.url}:${site.line}${original === undefined ? '' : ` ${original.url}:${original.line}`}`;
}

function deriveDrill(target: TargetState, view: ViewState, allRows: readonly SiteRow[]): DrillView | undefined {
	const top = view.drill.at(-1);
	const peak = top?.peakTime === undefined ? undefined : target.peaks.at(top.peakTime);
	const profile = peak?.profile ?? target.latest?.profile;
	if (top === undefined || profile === undefined) {
		return undefined;
	}

	const tree = top.tree === 'callers' ? callersOf(profile, top.site, view.grouping) : calleesOf(profile, top.site);
	const rows = drillRows(tree, top.expanded);
	return {
		breadcrumb: view.drill.map(entry => entry.site), site: top.site, tree: top.tree, rows, row: allRows.find(row => row.key === top.site.key),
		peak: peak === undefined ? undefined : {time: peak.time, weight: peak.weight},
	};
}

/** Derives the table, chart, comparison and drill-down data of a target over a window. */
export function deriveData(target: TargetState, view: ViewState, originals: ReadonlyMap<string, OriginalLocation> = new Map(), targets: readonly TargetState[] = [target]): DataView {
	const window = windows[view.windowIndex]!;
	const history = activeHistory(target, view.grouping);
	const aggregate = target.latestAggregates[view.grouping];
	const latestTime = history.latest?.time ?? 0;
	const points = history.points(latestTime - window.ms);
	const sort = view.sort === 'baseline' && target.baseline === undefined ? 'leak' : view.sort;
	const allRows = aggregate === undefined
		? []
		: rankSites(history, aggregate, points, sort, target.latest?.samplingInterval ?? 1, judgementOf(target, view.grouping).sites, {
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
		// A suspect's frame as judged (a Node internal's is the callee V8 inlined into it); else a builtin's caller.
		const caller = rowFrame(profile, row);
		if (caller !== undefined) {
			callers.set(row.key, caller);
		}
	}

	// The heap's readings over the window itself, not from the first point of the metric's history: switching to
	// allocations (a) starts that history afresh, and the chart would lose every minute before it.
	const lastReading = target.readings.at(-1)?.time ?? latestTime;
	const readings = target.readings.filter(reading => reading.time >= Math.max(latestTime, lastReading) - window.ms);
	return {target, rows, allRows, points, readings, window, offHeap: offHeapHint(points, workersHeapGrowth(workersOf(target, targets), points[0]?.time ?? 0, points.at(-1)?.time ?? 0)), comparison, peakTime: target.peaks.heaviestSince(points[0]?.time ?? Number.POSITIVE_INFINITY)?.time, drill: deriveDrill(target, view, allRows), callers};
}


/** The site under the selection of the pane in use. */
export function selectedSite(view: ViewState, data: DataView | undefined): SiteIdentity | undefined {
	if (data?.drill !== undefined) {
		return data.drill.rows[Math.min(view.drill.at(-1)?.selected ?? 0, data.drill.rows.length - 1)]?.site;
	}

	return view.compare && view.focus === 'compare' ? data?.comparison.rows[view.compareSelected] : data?.rows[view.selected];
}

