import {growthBySite} from './growth.js';
import type {Aggregate, SiteIdentity} from './profile.js';
import type {History, Point} from './series.js';

export type SortKey = 'leak' | 'live' | 'growth' | 'samples';

export const sortKeys: readonly SortKey[] = ['leak', 'live', 'growth', 'samples'];

export const sortLabels: Record<SortKey, string> = {
	leak: 'suspects',
	live: 'live bytes',
	growth: 'growth',
	samples: 'samples',
};

export type SiteRow = SiteIdentity & {
	readonly id: number;
	readonly liveBytes: number;
	readonly samples: number;
	/** Share of all sampled live bytes, 0..1. */
	readonly share: number;
	readonly growthPerMinute: number;
	readonly suspect: boolean;
};

const compare: Record<SortKey, (a: SiteRow, b: SiteRow) => number> = {
	leak: (a, b) => (Number(b.suspect) - Number(a.suspect))
		|| (a.suspect ? b.growthPerMinute - a.growthPerMinute : b.liveBytes - a.liveBytes),
	live: (a, b) => b.liveBytes - a.liveBytes,
	growth: (a, b) => b.growthPerMinute - a.growthPerMinute || b.liveBytes - a.liveBytes,
	samples: (a, b) => b.samples - a.samples || b.liveBytes - a.liveBytes,
};

/**
 * The table: every site that holds memory now or grew over the window, with its growth and verdict.
 * Live bytes and samples come from the latest profile, exact; growth from the window of history.
 */
export function rankSites(history: History, latest: Aggregate, points: readonly Point[], sort: SortKey, samplingInterval: number): SiteRow[] {
	const growth = growthBySite(points, history.sites.length, {samplingInterval});
	const total = latest.totalBytes;
	const rows: SiteRow[] = [];
	const present = new Set<number>();
	for (const site of latest.sites) {
		const id = history.siteId(site.key);
		if (id === undefined) {
			continue;
		}

		present.add(id);
		const {bytesPerMinute, suspect} = growth[id]!;
		rows.push({...site, id, share: total > 0 ? site.liveBytes / total : 0, growthPerMinute: bytesPerMinute, suspect});
	}

	for (const [id, {bytesPerMinute, suspect}] of growth.entries()) {
		if (suspect && !present.has(id)) {
			rows.push({...history.sites[id]!, id, liveBytes: 0, samples: 0, share: 0, growthPerMinute: bytesPerMinute, suspect});
		}
	}

	return rows.sort(compare[sort]);
}

/** A site's mean live bytes resampled to `width` columns, for a sparkline. */
export function sparkValues(points: readonly Point[], id: number, width: number): number[] {
	if (points.length === 0 || width <= 0) {
		return [];
	}

	const columns = Math.min(width, points.length);
	const values: number[] = [];
	for (let column = 0; column < columns; column++) {
		const from = Math.floor((column * points.length) / columns);
		const to = Math.floor(((column + 1) * points.length) / columns);
		let sum = 0;
		for (let index = from; index < to; index++) {
			const {mean} = points[index]!;
			sum += id < mean.length ? mean[id]! : 0;
		}

		values.push(sum / (to - from));
	}

	return values;
}
