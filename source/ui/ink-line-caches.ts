/**
 * ink 6 draws each frame into a new `Output`, and each `Output` starts its caches afresh: every frame splits every
 * line of the screen into styled characters again and measures each character's width again, a line at a time,
 * whether it changed or not. At 200×50 that was two thirds of a key press's 35 ms (npm run bench). Those caches
 * hold pure functions of the line's text, so one set kept across frames gives the same output; it is bounded, and
 * emptied when it outgrows a few screens of distinct lines (a live view's figures change every second).
 *
 * `Output` is internal to ink (its exports name only the entry), so it is reached by its file next to the entry,
 * the same module ink's renderer uses. An ink whose `Output` no longer has these caches is left as it is: the
 * view is then only slower, and `keptAcrossFrames` says so (a test checks it on the ink installed).
 */

type LineCaches = {readonly widths: Map<string, number>; readonly blockWidths: Map<string, number>; readonly styledChars: Map<string, unknown>};
type OutputClass = {prototype: {get: (this: {caches: LineCaches}) => unknown}; new (options: {width: number; height: number}): {caches: LineCaches}};

/** Distinct lines kept at most: a 200-column line's styled characters take ~10 KB, so some 5 MB. */
export const maxCachedLines = 500;

function isLineCaches(value: unknown): value is LineCaches {
	const caches = value as Partial<LineCaches> | undefined;
	return caches?.widths instanceof Map && caches.blockWidths instanceof Map && caches.styledChars instanceof Map;
}

async function outputClass(): Promise<OutputClass | undefined> {
	try {
		const module = await import(new URL('output.js', import.meta.resolve('ink')).href) as {default?: unknown};
		const Output = module.default as OutputClass | undefined;
		return typeof Output === 'function' && typeof Output.prototype.get === 'function' ? Output : undefined;
	} catch {
		return undefined;
	}
}

/** The caches every frame shares, or undefined when this ink could not be given them. */
function keep(Output: OutputClass | undefined): LineCaches | undefined {
	const shared = Output === undefined ? undefined : new Output({width: 1, height: 1}).caches;
	if (Output === undefined || !isLineCaches(shared)) {
		return undefined;
	}

	const get = Output.prototype.get;
	Output.prototype.get = function (this: {caches: LineCaches}) {
		if (shared.styledChars.size > maxCachedLines || shared.blockWidths.size > maxCachedLines || shared.widths.size > 4 * maxCachedLines) {
			shared.styledChars.clear();
			shared.widths.clear();
			shared.blockWidths.clear();
		}

		this.caches = shared;
		return get.call(this);
	};
	return shared;
}

/** ink's line caches, kept across frames once this module is loaded (undefined: this ink has none to keep). */
export const keptAcrossFrames = keep(await outputClass());
