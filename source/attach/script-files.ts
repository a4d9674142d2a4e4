import {readFileSync, statSync} from 'node:fs';
import {dirname, isAbsolute, resolve} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, TraceMap} from '@jridgewell/trace-mapping';
import {oneLine} from '../errors.js';
import type {OriginalLocation, SourceText} from '../model/location.js';
import type {SiteIdentity} from '../model/identity.js';

/** Scripts larger than this are not read: a minified bundle of that size has nothing to show a reader. */
const maxScriptBytes = 32 * 1024 * 1024;

/** The file behind a script URL, when it is a local file: `file://` URLs and absolute paths (CommonJS). */
export function scriptPath(url: string): string | undefined {
	if (url.startsWith('file://')) {
		try {
			return fileURLToPath(url);
		} catch {
			return undefined;
		}
	}

	return isAbsolute(url) ? url : undefined;
}

function readText(path: string): string {
	if (statSync(path).size > maxScriptBytes) {
		throw new Error(`larger than ${maxScriptBytes / 1024 / 1024} MB`);
	}

	return readFileSync(path, 'utf8');
}

/** The script's source map, from its last `sourceMappingURL` comment: an inline `data:` URL or a file beside it. */
function sourceMapOf(path: string, text: string): TraceMap | undefined {
	const matches = [...text.matchAll(/\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/gm)];
	const reference = matches.at(-1)?.[1];
	if (reference === undefined) {
		return undefined;
	}

	const inline = /^data:application\/json;(?:charset=[\w-]+;)?base64,(.+)$/.exec(reference);
	if (inline !== null) {
		return new TraceMap(Buffer.from(inline[1]!, 'base64').toString('utf8'), pathToFileURL(path).href);
	}

	if (/^[a-z]+:/i.test(reference) && !reference.startsWith('file:')) {
		return undefined;
	}

	const mapPath = reference.startsWith('file:') ? fileURLToPath(reference) : resolve(dirname(path), decodeURIComponent(reference));
	return new TraceMap(readText(mapPath), pathToFileURL(mapPath).href);
}

type Script = {readonly text: SourceText; readonly map: TraceMap | undefined};

/**
 * Reads the scripts that sites live in, from the local disk, once each: their text for the drill-down and their
 * source maps for original locations. The one module that reads the user's files.
 */
export class Sources {
	private readonly scripts = new Map<string, Script>();

	private script(url: string): Script {
		let script = this.scripts.get(url);
		if (script !== undefined) {
			return script;
		}

		const path = scriptPath(url);
		if (path === undefined) {
			script = {text: {kind: 'unavailable', reason: url === '' ? 'a V8 builtin has no source' : `${url} is not a local file`}, map: undefined};
		} else {
			try {
				const text = readText(path);
				let map: TraceMap | undefined;
				try {
					map = sourceMapOf(path, text);
				} catch {
					// A broken or missing map leaves the generated locations, which are still true.
				}

				script = {text: {kind: 'text', path, lines: text.split(/\r?\n/)}, map};
			} catch (error) {
				script = {text: {kind: 'unavailable', reason: `cannot read ${path}: ${oneLine(error)}`}, map: undefined};
			}
		}

		this.scripts.set(url, script);
		return script;
	}

	text(url: string): SourceText {
		return this.script(url).text;
	}

	/** The original location of a site's function start, when its script has a source map that covers it. */
	original(site: Pick<SiteIdentity, 'url' | 'line' | 'column' | 'kind'>): OriginalLocation | undefined {
		if (site.kind !== 'user' && site.kind !== 'dependency') {
			return undefined;
		}

		const {map} = this.script(site.url);
		if (map === undefined) {
			return undefined;
		}

		// V8 reports where the function starts; the nearest mapping at or before it, else just after it.
		for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
			const position = originalPositionFor(map, {line: site.line, column: Math.max(0, site.column - 1), bias});
			if (position.source !== null) {
				const path = position.source.startsWith('file:') ? fileURLToPath(position.source) : position.source;
				return {url: path, line: position.line, column: position.column + 1};
			}
		}

		return undefined;
	}
}
