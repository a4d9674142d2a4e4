/** Past this many nodes, the memory a poll briefly costs the target can matter in a tight container. */
const largeProfileNodes = 50_000;

/**
 * Said when profiles grow large: serialising one costs the target about 1 KB per node, at once, on every poll
 * (measured: +110 MB at 132k nodes). A coarser sampling interval means fewer samples, so fewer nodes.
 */
export function profileSizeHint(nodeCount: number, samplingInterval: number): string | undefined {
	if (nodeCount < largeProfileNodes) {
		return undefined;
	}

	const costMb = Math.round(nodeCount / 1000);
	return `profile of ${Math.round(nodeCount / 1000)}k nodes: each poll briefly costs the target ~${costMb} MB; --sampling-interval ${samplingInterval * 4} would shrink it`;
}
