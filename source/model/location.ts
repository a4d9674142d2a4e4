import type {SiteIdentity} from './profile.js';

/** A script URL as a user reads it: a path relative to `cwd` when under it, `node:` and other URLs as they are. */
export function displayPath(url: string, cwd: string): string {
	let path = url;
	if (url.startsWith('file://')) {
		try {
			path = decodeURIComponent(new URL(url).pathname);
		} catch {
			return url;
		}
	}

	const folder = cwd.endsWith('/') ? cwd : `${cwd}/`;
	return path.startsWith(folder) ? path.slice(folder.length) : path;
}

/**
 * Where a site is: `file:line` for code with a URL (the original file and line when a source map says so),
 * `(native)` for V8 builtins, `(V8)` for V8's pseudo-frames.
 */
export function siteLocation(site: Pick<SiteIdentity, 'kind' | 'url' | 'line'>, cwd: string, original?: OriginalLocation): string {
	if (original !== undefined) {
		return `${displayPath(original.url, cwd)}:${original.line}`;
	}

	if (site.kind === 'builtin') {
		return '(native)';
	}

	if (site.kind === 'pseudo') {
		return '(V8)';
	}

	return `${displayPath(site.url, cwd)}:${site.line}`;
}

/** Where a generated location comes from, by its source map: 1-based line and column. */
export type OriginalLocation = {readonly url: string; readonly line: number; readonly column: number};

/** A script's text for the drill-down, or why it cannot be shown. */
export type SourceText =
	| {readonly kind: 'text'; readonly path: string; readonly lines: readonly string[]}
	| {readonly kind: 'unavailable'; readonly reason: string};
