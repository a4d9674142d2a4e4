import type {SiteRow} from './ranking.js';

/**
 * Which code the table shows: everything; only the application's own code; or the application's code with
 * every package's frames (node_modules) and Node's internals folded into one row each.
 */
export type Scope = 'all' | 'app' | 'packages';
export const scopes: readonly Scope[] = ['all', 'app', 'packages'];
export const scopeLabels: Record<Scope, string> = {all: 'all code', app: 'app code only', packages: 'per package'};

/** The package a node_modules URL belongs to: `express`, `@scope/name`; the last node_modules wins. */
export function packageOf(url: string): string | undefined {
	const match = /.*[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(url);
	return match?.[1]?.replaceAll('\\', '/');
}

function foldInto(rows: readonly SiteRow[], name: string, url: string): SiteRow {
	const first = rows[0]!;
	const sum = (read: (row: SiteRow) => number) => rows.reduce((total, row) => total + read(row), 0);
	const baselines = rows.map(row => row.sinceBaseline);
	return {
		...first,
		key: `scope\u0000${name}`,
		functionName: name,
		url,
		line: 0,
		column: 0,
		liveBytes: sum(row => row.liveBytes),
		samples: sum(row => row.samples),
		share: sum(row => row.share),
		growthPerMinute: sum(row => row.growthPerMinute),
		suspect: rows.some(row => row.suspect),
		sinceBaseline: baselines.includes(undefined) ? undefined : sum(row => row.sinceBaseline!),
	};
}

/** The rows in a scope; folded rows keep the first row's place in the sort. */
export function scopeRows(rows: readonly SiteRow[], scope: Scope): SiteRow[] {
	if (scope === 'all') {
		return [...rows];
	}

	if (scope === 'app') {
		return rows.filter(row => row.kind === 'user');
	}

	const groups = new Map<string, SiteRow[]>();
	const result: Array<SiteRow | string> = [];
	for (const row of rows) {
		const group = row.kind === 'dependency' ? `📦 ${packageOf(row.url) ?? 'node_modules'}` : row.kind === 'internal' ? '(node internals)' : undefined;
		if (group === undefined) {
			result.push(row);
			continue;
		}

		if (!groups.has(group)) {
			groups.set(group, []);
			result.push(group);
		}

		groups.get(group)!.push(row);
	}

	// A folded row's location says what it folds: `node:*`, `node_modules/express`.
	return result.map(entry => {
		if (typeof entry !== 'string') {
			return entry;
		}

		const rows = groups.get(entry)!;
		return foldInto(rows, entry, rows[0]!.kind === 'internal' ? 'node:*' : `node_modules/${packageOf(rows[0]!.url) ?? ''}`);
	});
}

/** The rows whose function name or location contains `text`, ignoring case. */
export function filterRows(rows: readonly SiteRow[], text: string, locate: (row: SiteRow) => string): SiteRow[] {
	const needle = text.trim().toLowerCase();
	if (needle === '') {
		return [...rows];
	}

	return rows.filter(row => row.functionName.toLowerCase().includes(needle) || locate(row).toLowerCase().includes(needle));
}

/**
 * The rows restricted to allocations under paths through a focused function: each row's bytes are only those
 * under it, share of the focused total; rows with nothing under it go.
 */
export function focusRows(rows: readonly SiteRow[], bytesUnder: ReadonlyMap<string, number>): SiteRow[] {
	const total = [...bytesUnder.values()].reduce((sum, bytes) => sum + bytes, 0);
	return rows.flatMap(row => {
		const bytes = bytesUnder.get(row.key);
		return bytes === undefined || bytes <= 0 ? [] : [{...row, liveBytes: bytes, share: total > 0 ? bytes / total : 0}];
	}).sort((a, b) => b.liveBytes - a.liveBytes);
}
