import type {Sources} from '../attach/script-files.js';
import type {OriginalLocation} from '../model/location.js';
import {knownSites, type TargetState} from '../model/target.js';
import type {Store} from '../ui/store.js';

/** The original location of every site of `targets` not yet looked up, by site key, where a source map gives one. */
export function originalsOf(targets: readonly TargetState[], sources: Sources, looked: Set<string> = new Set()): Array<[string, OriginalLocation]> {
	const found: Array<[string, OriginalLocation]> = [];
	for (const site of targets.flatMap(target => knownSites(target))) {
		if (looked.has(site.key)) {
			continue;
		}

		looked.add(site.key);
		const original = sources.original(site);
		if (original !== undefined) {
			found.push([site.key, original]);
		}
	}

	return found;
}

/**
 * Keeps the store supplied with what the views show from the user's files: original locations of new sites,
 * and the source text of the site a drill-down shows. Works after each change, outside the store's publish.
 */
export function watchSources(store: Store, sources: Sources): () => void {
	const looked = new Set<string>();
	let pending: NodeJS.Immediate | undefined;
	const work = () => {
		pending = undefined;
		store.addOriginals(originalsOf(store.getSnapshot().state.targets, sources, looked));
		const {state, data} = store.getSnapshot();
		const site = data?.drill?.site;
		if (site !== undefined) {
			const url = (state.view.generated ? undefined : state.originals.get(site.key)?.url) ?? site.url;
			if (!state.sources.has(url)) {
				store.setSource(url, sources.text(url));
			}
		}
	};

	const unsubscribe = store.subscribe(() => {
		pending ??= setImmediate(work);
	});
	work();
	return () => {
		unsubscribe();
		clearImmediate(pending);
	};
}
