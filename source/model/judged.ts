import {callPathLeaks, type CallPathLeak} from './analyses/call-tree-age.js';
import {actionableFrame} from './call-paths.js';
import type {Grouping} from './profile.js';
import {judgeSites, rankSites, type Judgement, type SiteRow, type SortKey} from './ranking.js';
import type {RawSnapshot} from './snapshot.js';
import {activeHistory, type TargetState} from './target.js';

/**
 * The one judgement of a target's sites: computed once per profile and grouping, here in the model, and read by
 * the table, the target bar, the all-targets view, the report, the metrics, the triggers and the agent, so a site
 * has the same verdict and ▲ at the same moment in all of them.
 */
export type TargetJudgement = {
	/** By site key. */
	readonly sites: ReadonlyMap<string, Judgement>;
	/** The leaks V8 moved between a callee and its caller, found on the call tree. */
	readonly moved: readonly CallPathLeak[];
};

const none: TargetJudgement = {sites: new Map(), moved: []};
/** By profile, for the stretch of history it was judged in (a break since changes the history, not the profile). */
const judgedAt = new WeakMap<RawSnapshot, {readonly breaks: number; readonly byGrouping: Partial<Record<Grouping, TargetJudgement>>}>();

/**
 * Leaf sites judged, then the call tree: a leak that V8 moved is named by the user's frame in the callee
 * (suspect, with the joined survivors) and the caller it moved into holds part of it (its own verdict kept, no ▲).
 * A suspect that is not the user's code gets the frame of the user's code that answers for it.
 */
function judge(target: TargetState, grouping: Grouping): TargetJudgement {
	const aggregate = target.latestAggregates[grouping];
	const latest = target.latest;
	if (aggregate === undefined || latest === undefined) {
		return none;
	}

	const grouped = target.latestAggregates.user;
	const sites = judgeSites(activeHistory(target, grouping), aggregate, target.samplingInterval, target.metric === 'retained', {
		userFrames: grouped === undefined ? undefined : {profile: latest.profile, grouped},
		lateLeaks: target.lateLeaks[grouping],
	});
	const byKey = new Map(aggregate.sites.map(site => [site.key, site]));
	const siteJudgement = grouping === 'site' ? undefined : judgementOf(target, 'site');
	const moved = siteJudgement?.moved ?? (aggregate.ages === undefined || sites.size === 0 ? [] : callPathLeaks(latest.profile, aggregate.ages));
	for (const leak of moved) {
		const named = leak.frame !== undefined && sites.has(leak.frame.key) ? leak.frame.key : leak.node.key;
		const own = sites.get(named);
		sites.set(named, {
			growthPerMinute: own?.suspect === true ? Math.max(own.growthPerMinute, leak.age.retentionPerMinute) : leak.age.retentionPerMinute,
			growthBasis: own?.suspect === true ? own.growthBasis : 'call-path', verdict: 'leaking', suspect: true, age: leak.age, frame: leak.frame, leak,
		});
		const holder = sites.get(leak.node.key);
		if (named !== leak.node.key && holder !== undefined) {
			sites.set(leak.node.key, {...holder, suspect: false, partOf: leak});
		}
	}

	for (const [key, judgement] of sites) {
		const site = judgement.suspect && judgement.frame === undefined ? byKey.get(key) : undefined;
		if (site !== undefined) {
			sites.set(key, {...judgement, frame: actionableFrame(latest.profile, site)});
		}
	}

	return {sites, moved};
}

/** The judgement of the target's latest profile, by grouping: computed on first asking, then kept with the profile. */
export function judgementOf(target: TargetState, grouping: Grouping = 'site'): TargetJudgement {
	const {latest} = target;
	if (latest === undefined) {
		return none;
	}

	let judged = judgedAt.get(latest);
	if (judged?.breaks !== target.breaks) {
		judged = {breaks: target.breaks, byGrouping: {}};
		judgedAt.set(latest, judged);
	}

	judged.byGrouping[grouping] ??= judge(target, grouping);
	return judged.byGrouping[grouping];
}

/** Every site of the target's latest profile, ranked, with the model's judgement: what the report and the metrics give. */
export function judgedSites(target: TargetState, sort: SortKey = 'growth'): SiteRow[] {
	const aggregate = target.latestAggregates.site;
	if (aggregate === undefined) {
		return [];
	}

	const history = activeHistory(target);
	return rankSites(history, aggregate, history.points(), sort, target.samplingInterval, judgementOf(target).sites);
}
