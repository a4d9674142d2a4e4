import {rankSites, type SiteRow, type SortKey} from './ranking.js';
import {activeHistory, ageContext, type TargetState} from './target.js';

/** Every site of the target's latest profile, ranked and judged over its whole history: what the report and the metrics give. */
export function judgedSites(target: TargetState, sort: SortKey = 'growth'): SiteRow[] {
	const aggregate = target.latestAggregates.site;
	if (aggregate === undefined) {
		return [];
	}

	const history = activeHistory(target);
	return rankSites(history, aggregate, history.points(), sort, target.samplingInterval, {growth: target.metric === 'retained', ...ageContext(target)});
}

const suspectsAt = new WeakMap<object, number>();

/** How many of the target's sites are leaking at its latest profile: judged once a profile, for the target bar. */
export function suspectCount(target: TargetState): number {
	const {latest} = target;
	if (latest === undefined) {
		return 0;
	}

	let count = suspectsAt.get(latest);
	if (count === undefined) {
		count = judgedSites(target, 'leak').filter(row => row.suspect).length;
		suspectsAt.set(latest, count);
	}

	return count;
}
