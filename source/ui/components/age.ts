import {block, formatBytes, formatRate} from '../../format.js';
import type {SurvivorAge} from '../../model/analyses/survivor-age.js';
import type {SiteRow} from '../../model/ranking.js';

/**
 * The survivors of a site by allocation age as a small histogram, oldest left, newest right: `·` where a band
 * holds nothing. `width` below the band count merges neighbouring bands.
 */
export function ageHistogram(bands: readonly number[], width: number): string {
	const per = Math.max(1, Math.ceil(bands.length / Math.max(1, width)));
	const merged: number[] = [];
	for (let band = 0; band < bands.length; band += per) {
		merged.push(bands.slice(band, band + per).reduce((sum, bytes) => sum + bytes, 0));
	}

	const max = Math.max(0, ...merged);
	return merged.map(bytes => (bytes <= 0 || max <= 0 ? '·' : block(bytes, max))).join('');
}

/** A span of time as people say it: 8 s, 4 min, 2.5 h. */
export function formatSpan(ms: number): string {
	const seconds = Math.max(0, ms / 1000);
	if (seconds < 90) {
		return `${Math.round(seconds)} s`;
	}

	if (seconds < 90 * 60) {
		return `${Math.round(seconds / 60)} min`;
	}

	return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * The growth column: the rate for a leaking site (or the window's growth while the site has too few samples
 * to judge by age), else the verdict's word, so a step is never shown as growth.
 */
export function verdictCell(row: Pick<SiteRow, 'verdict' | 'growthPerMinute' | 'age' | 'partOf'>): string {
	if (row.partOf !== undefined) {
		// Its own verdict describes half a leak that V8 moved here: the leak is shown at the site that names it.
		return 'part of ▲';
	}

	switch (row.verdict) {
		case 'leaking':
		case 'unknown': {
			return formatRate(row.growthPerMinute);
		}

		case 'bounded': {
			return row.age?.horizonMs === undefined ? 'bounded' : `keeps ${formatSpan(row.age.horizonMs).replace(' ', '')}`;
		}

		default: {
			return row.verdict;
		}
	}
}

/** The verdict in a sentence, for the drill-down; `suspect` with too few samples: judged by its growth instead. */
export function describeAge(age: SurvivorAge, suspect = false): string {
	const since = formatSpan(age.edges.at(-1)! - age.edges[0]!);
	switch (age.verdict) {
		case 'leaking': {
			return `leaking: it keeps survivors from every period since sampling began ${since} ago, and adds new ones: ${formatRate(age.retentionPerMinute)} still alive`;
		}

		case 'one-time': {
			return 'one-time: what it holds was allocated in one period and nothing since: a step, not growth';
		}

		case 'bounded': {
			return `bounded: it keeps what it allocates for about ${formatSpan(age.horizonMs ?? 0)}, then lets it go`;
		}

		case 'transient': {
			return 'transient: nothing it allocates outlives the newest band';
		}

		case 'long-lived': {
			return 'long-lived: it holds old and new survivors, but not in the steady way of a leak';
		}

		case 'unknown': {
			return suspect
				? `judged by growth: its live bytes rose steadily over the polls (${age.samples} samples are too few to judge by age)`
				: `not enough data: ${age.samples} samples, too few to judge by age`;
		}
	}
}

/** Each band that holds anything, oldest first: "allocated 3–4 min ago: 2.1 MB still alive". */
export function ageBandsText(age: SurvivorAge): string {
	const now = age.edges.at(-1)!;
	const parts = age.bands.flatMap((bytes, band) => {
		if (bytes <= 0) {
			return [];
		}

		const older = formatSpan(now - age.edges[band]!);
		const newer = formatSpan(now - age.edges[band + 1]!);
		const sameUnit = newer.split(' ')[1] === older.split(' ')[1];
		return [`${sameUnit ? newer.split(' ')[0] : newer}–${older} ago: ${formatBytes(bytes)}`];
	});
	return parts.length === 0 ? 'no survivors' : `allocated ${parts.join(' · ')} still alive`;
}
