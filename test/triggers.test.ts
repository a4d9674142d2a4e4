import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {createModel} from '../source/model/target.js';
import {heldTriggers, type TriggerSpec} from '../source/model/triggers.js';
import {loadTrace, rawSnapshots, sessionEvents} from './helpers.js';

const info = {id: 't', title: 'churn', url: 'file:///churn.cjs', pid: 42, logPath: undefined, otherTargets: 0};

/** The model after a recorded run of a program that churns (allocates and frees, keeps nothing). */
function churned() {
	const model = createModel();
	for (const event of sessionEvents(info, rawSnapshots(loadTrace('trace-churn')))) {
		model.apply(event);
	}

	return model;
}

const none: TriggerSpec = {onHeap: undefined, onSuspect: false, heapSnapshot: false};

describe('heldTriggers', () => {
	it('holds --on-heap at a size from the newest heap reading, at or over it and not under', () => {
		const model = churned();
		const used = model.target('t')!.live!.heap.usedSize;
		assert.deepEqual(heldTriggers({...none, onHeap: {kind: 'bytes', bytes: used}}, model.target('t')!).map(held => held.name), ['on-heap']);
		assert.deepEqual(heldTriggers({...none, onHeap: {kind: 'bytes', bytes: used + 1}}, model.target('t')!), []);
		model.apply({type: 'gauges', targetId: 't', time: Date.now(), heap: {usedSize: used + 1, totalSize: used * 2}, process: undefined});
		assert.match(heldTriggers({...none, onHeap: {kind: 'bytes', bytes: used + 1}}, model.target('t')!)[0]!.reason, /^heap .* ≥ /);
	});

	it('holds --on-heap at a share only when the limit was read, against that limit', () => {
		const model = churned();
		const target = () => model.target('t')!;
		const share = {...none, onHeap: {kind: 'share', share: 0.5}} as const;
		assert.deepEqual(heldTriggers(share, target()), [], 'no limit read (--no-eval): never held');
		const memory = {rss: 1e8, heapTotal: 4e7, heapUsed: 3e7, external: 0, arrayBuffers: 0};
		model.apply({type: 'gauges', targetId: 't', time: Date.now(), heap: {usedSize: 49e6, totalSize: 6e7}, process: {memory, pid: 42, uptimeSeconds: 9, heapLimit: 1e8}});
		assert.deepEqual(heldTriggers(share, target()), []);
		model.apply({type: 'gauges', targetId: 't', time: Date.now(), heap: {usedSize: 50e6, totalSize: 6e7}, process: {memory, pid: 42, uptimeSeconds: 10, heapLimit: 1e8}});
		assert.deepEqual(heldTriggers(share, target()), [{name: 'on-heap', reason: 'heap 50.0 MB, 50% of its 100 MB limit'}]);
	});

	it('does not hold --on-suspect for a program that keeps nothing', () => {
		assert.deepEqual(heldTriggers({...none, onSuspect: true}, churned().target('t')!), []);
	});
});
