import type {Sources} from '../attach/script-files.js';
import type {Store} from '../ui/store.js';

/** The sites of every history of every target, each once. */
function knownSites(store: Store) {
	return store.getSnapshot().state.targets.flatMap(target => [target.history, target.allocations, target.grouped.retained, target.grouped.allocated].flatMap(history => history.sites));
}

/** Looks up the original location of every site not yet looked up, and hands the ones found to the store. */
export function resolveOriginals(store: Store, sources: Sources, looked: Set<string> = new Set()): void {
	const found: Array<[string, NonNullable<ReturnType<Sources['original']>>]> = [];
	for (const site of knownSites(store)) {
		if (looked.has(site.key)) {
			continue;
		}

		looked.add(site.key);
		const original = sources.original(site);
		if (original !== undefined) {
			found.push([site.key, original]);
		}
	}

	store.addOriginals(found);
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
		resolveOriginals(store, sources, looked);
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
