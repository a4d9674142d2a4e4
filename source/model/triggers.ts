import {formatBytes, formatPercent} from '../format.js';
import {judgedSites} from './judged.js';
import {siteName} from './location.js';
import type {TargetState} from './target.js';

/** `--on-heap`: bytes of heap used, or a share of V8's heap limit (what "heap out of memory" is measured against). */
export type HeapThreshold = {readonly kind: 'bytes'; readonly bytes: number} | {readonly kind: 'share'; readonly share: number};

/** The conditions that write the exports once, when each first holds. */
export type TriggerSpec = {
	readonly onHeap: HeapThreshold | undefined;
	readonly onSuspect: boolean;
	/** Also write a heap snapshot (it pauses the target for as long as it takes). */
	readonly heapSnapshot: boolean;
};

export type TriggerName = 'on-heap' | 'on-suspect';

/** A trigger whose condition holds, with the words that say why. */
export type Held = {readonly name: TriggerName; readonly reason: string};

function heapHeld(threshold: HeapThreshold, target: TargetState): string | undefined {
	const {live} = target;
	if (live === undefined) {
		return undefined;
	}

	const used = live.heap.usedSize;
	if (threshold.kind === 'bytes') {
		return used >= threshold.bytes ? `heap ${formatBytes(used)} ≥ ${formatBytes(threshold.bytes)}` : undefined;
	}

	const limit = live.process?.heapLimit;
	return limit !== undefined && limit > 0 && used >= threshold.share * limit
		? `heap ${formatBytes(used)}, ${formatPercent(used / limit)} of its ${formatBytes(limit)} limit`
		: undefined;
}

/**
 * The triggers of `spec` whose condition holds in `target` now: the heap at or over its threshold (read once a
 * second), a site judged leaking (at each profile).
 */
export function heldTriggers(spec: TriggerSpec, target: TargetState, cwd = ''): Held[] {
	const held: Held[] = [];
	const heap = spec.onHeap === undefined ? undefined : heapHeld(spec.onHeap, target);
	if (heap !== undefined) {
		held.push({name: 'on-heap', reason: heap});
	}

	if (spec.onSuspect) {
		const leaking = judgedSites(target, 'leak').filter(row => row.suspect);
		if (leaking.length > 0) {
			held.push({name: 'on-suspect', reason: `leaking: ${siteName(leaking[0]!, cwd)}${leaking.length > 1 ? ` and ${leaking.length - 1} more` : ''}`});
		}
	}

	return held;
}
