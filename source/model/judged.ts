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

