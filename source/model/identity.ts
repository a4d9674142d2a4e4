/**
 * Identity of frames and sites, in one place: how V8's call frames are named, what kind of code a site is, and the
 * key a site is known by in every table, history, judgement and merge across targets.
 */

/** A frame as V8 names it in a profile: a function by its name, script and start (0-based). */
export type CallFrame = {
	readonly functionName: string;
	readonly scriptId: string;
	readonly url: string;
	/** 0-based, the function's start (not the allocation's line). */
	readonly lineNumber: number;
	readonly columnNumber: number;
};

/**
 * user: the application's code; dependency: code under node_modules; internal: Node's own `node:` modules;
 * builtin: V8 builtins (no URL); pseudo: V8's bookkeeping frames such as `(root)` or `(V8 API)`.
 */
export type SiteKind = 'user' | 'dependency' | 'internal' | 'builtin' | 'pseudo';

/** An allocation site: one function, identified by name and start location (1-based line and column). */
export type SiteIdentity = {
	readonly key: string;
	readonly functionName: string;
	readonly url: string;
	readonly line: number;
	readonly column: number;
	readonly kind: SiteKind;
};

/** The key of a site: its function and 1-based start, the same in every target (merged views join on it). */
export function siteKey(site: Pick<SiteIdentity, 'functionName' | 'url' | 'line' | 'column'>): string {
	return `${site.functionName}\u0000${site.url}\u0000${site.line}\u0000${site.column}`;
}

/** How a function without a name is shown and keyed. */
const anonymous = '(anonymous)';

/** A frame's function name, `(anonymous)` when V8 gives none. */
export function functionNameOf(frame: Pick<CallFrame, 'functionName'>): string {
	return frame.functionName === '' ? anonymous : frame.functionName;
}

export function siteKind(functionName: string, url: string): SiteKind {
	if (url === '') {
		return functionName.startsWith('(') && functionName.endsWith(')') ? 'pseudo' : 'builtin';
	}

	if (url.startsWith('node:')) {
		return 'internal';
	}

	return /[\\/]node_modules[\\/]/.test(url) ? 'dependency' : 'user';
}

/** Identity of the site a call frame allocates in; CDP's 0-based positions become 1-based. */
export function siteOf(frame: CallFrame): SiteIdentity {
	const functionName = functionNameOf(frame);
	const line = frame.lineNumber + 1;
	const column = frame.columnNumber + 1;
	return {
		key: siteKey({functionName, url: frame.url, line, column}),
		functionName,
		url: frame.url,
		line,
		column,
		kind: siteKind(functionName, frame.url),
	};
}

/** Frames with a URL outside Node itself: code the user (or a package author) can change. */
export function hasUserCode(kind: SiteKind): boolean {
	return kind === 'user' || kind === 'dependency';
}
