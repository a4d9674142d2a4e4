import {relative, sep} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {SiteIdentity} from './profile.js';

/** A script URL as a user reads it: a path relative to `cwd` when under it, `node:` and other URLs as they are. */
export function displayPath(url: string, cwd: string): string {
	let path = url;
	if (url.startsWith('file://')) {
		try {
			path = fileURLToPath(url);
		} catch {
			return url;
		}
	}

	if (path.startsWith(cwd + sep)) {
		return relative(cwd, path);
	}

	return path;
}

/** Where a site is: `file:line` for code with a URL, `(native)` for V8 builtins, `(V8)` for V8's pseudo-frames. */
export function siteLocation(site: Pick<SiteIdentity, 'kind' | 'url' | 'line'>, cwd: string): string {
	if (site.kind === 'builtin') {
		return '(native)';
	}

	if (site.kind === 'pseudo') {
		return '(V8)';
	}

	return `${displayPath(site.url, cwd)}:${site.line}`;
}
