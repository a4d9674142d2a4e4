import {hasUserCode, type SiteIdentity} from './identity.js';

/** A script URL as a user reads it: a path relative to `cwd` when under it, `node:` and other URLs as they are. */
export function displayPath(url: string, cwd: string): string {
	let path = url;
	if (cwd === '') {
		return url;
	}

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
 * Where a site is: `file:line` for code with a URL (the original file and line when a source map says so), the
 * file alone when there is no line, `(native)` for V8 builtins, `(V8)` for V8's pseudo-frames.
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

	// Line 0: V8 gave no line (a script's top level reads 1), or a row folding many sites.
	return site.line > 0 ? `${displayPath(site.url, cwd)}:${site.line}` : displayPath(site.url, cwd);
}

type Named = Pick<SiteIdentity, 'functionName' | 'kind' | 'url' | 'line'>;

/**
 * Where a site is, for the sinks: `file:line` for the user's code; for a builtin, a Node internal or V8's own
 * frames, the frame of the user's code that answers for it (`← rememberSession app.js:7`), or its own place
 * when there is none. `cwd` '': paths as they are.
 */
export function siteWhere(site: Named & {readonly frame?: Named | undefined}, cwd: string): string {
	return hasUserCode(site.kind) || site.frame === undefined ? siteLocation(site, cwd) : `← ${site.frame.functionName} ${siteLocation(site.frame, cwd)}`;
}

/**
 * A site as every sink names it, as the table does: `fn (file:line)` for the user's code, `repeat ← rememberSession
 * (app.js:7)` for a builtin called there, and a site with no frame of the user's code above or below it said so.
 */
export function siteName(site: Named & {readonly frame?: Named | undefined}, cwd: string): string {
	if (hasUserCode(site.kind) || site.frame === undefined) {
		return `${site.functionName} (${siteLocation(site, cwd)})${hasUserCode(site.kind) ? '' : ', in no code of yours'}`;
	}

	return `${site.functionName} ← ${site.frame.functionName} (${siteLocation(site.frame, cwd)})`;
}

/** Where a generated location comes from, by its source map: 1-based line and column. */
export type OriginalLocation = {readonly url: string; readonly line: number; readonly column: number};

/** A script's text for the drill-down, or why it cannot be shown. */
export type SourceText =
	| {readonly kind: 'text'; readonly path: string; readonly lines: readonly string[]}
	| {readonly kind: 'unavailable'; readonly reason: string};
