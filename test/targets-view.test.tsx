import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {LeaktopEvent, TargetInfo} from '../source/events.js';
import {createModel, keptEndedWorkers} from '../source/model/target.js';
import {TargetBar} from '../source/ui/components/target-bar.js';
import stringWidth from 'string-width';
import {App} from '../source/ui/app.js';
import {createStore} from '../source/ui/store.js';
import {loadTrace, rawSnapshots, sessionEvents} from './helpers.js';
import {renderAt} from './render-at.js';
import {readFileSync} from 'node:fs';
import {decodeRecording} from '../source/sinks/recording-format.js';

const processInfo: TargetInfo = {id: 'p', title: '/work/app/server.js', url: 'file:///work/app/server.js', pid: 4242, logPath: undefined, otherTargets: 0, kind: 'process'};

function worker(index: number): TargetInfo {
	return {id: `p/w${index}`, title: `[worker ${index}] pool-${index}`, url: 'file:///work/app/pool.js', pid: 4242, logPath: undefined, otherTargets: 0, kind: 'worker', parent: 'p'};
}

/** A process and `count` workers, each with the recorded profiles of a real churning program. */
function session(count: number): LeaktopEvent[] {
	const snapshots = rawSnapshots(loadTrace('trace-churn'));
	return [processInfo, ...Array.from({length: count}, (_, index) => worker(index + 1))].flatMap(info => sessionEvents(info, snapshots.map(snapshot => ({...snapshot, targetId: info.id}))));
}

describe('several targets', () => {
	it('the model keeps a bounded number of ended workers per process, dropping the oldest', () => {
		const model = createModel();
		model.apply({type: 'attached', targetId: 'p', time: 0, info: processInfo, samplingInterval: 131_072});
		for (let index = 1; index <= keptEndedWorkers + 4; index++) {
			model.apply({type: 'attached', targetId: `p/w${index}`, time: index, info: worker(index), samplingInterval: 131_072});
			model.apply({type: 'exited', targetId: `p/w${index}`, time: index, reason: 'the worker ended'});
		}

		const ids = model.targets.map(target => target.info.id);
		assert.equal(ids.length, 1 + keptEndedWorkers);
		assert.equal(ids[0], 'p', 'the process stays');
		assert.equal(ids[1], 'p/w5', 'the oldest ended workers went first');
		model.apply({type: 'attached', targetId: 'p/w99', time: 99, info: worker(99), samplingInterval: 131_072});
		assert.equal(model.targets.length, 1 + keptEndedWorkers, 'one more goes to make room');
	});

	it(', and . go through the targets, then all of them; the one shown stays while others come and go before it', () => {
		const store = createStore();
		store.applyAll(session(2));
		const shown = () => (store.getSnapshot().merged === undefined ? store.getSnapshot().data?.target.info.id : 'all');
		assert.equal(shown(), 'p');
		const said = () => store.getSnapshot().state.view.said;
		store.dispatch({type: 'switch-target', by: 1});
		assert.equal(shown(), 'p/w1');
		assert.match(said()!, /^target 2 of 3: \[worker 1\] pool-1 \(, \. step\)$/);
		store.dispatch({type: 'switch-target', by: -1});
		store.dispatch({type: 'switch-target', by: -1});
		assert.equal(shown(), 'all', 'all of them after the last, before the first');
		assert.equal(said(), 'all 3 targets, their sites merged (, . step)');
		let effects = 0;
		const stopListening = store.onEffect(() => effects++);
		store.dispatch({type: 'export'});
		stopListening();
		assert.equal(effects, 0, 'the merged view has no profile of its own to export');
		assert.match(said()!, /^choose a target first \(, \.\): exports/);
		assert.ok(store.getSnapshot().state.targets.every(target => target.notice === undefined), 'a hint to the user, not an event of a target');
		store.dispatch({type: 'switch-target', by: -1});
		assert.equal(shown(), 'p/w2', 'it wraps around');
		store.apply({type: 'exited', targetId: 'p/w1', time: Date.now(), reason: 'the worker ended'});
		assert.equal(shown(), 'p/w2');
		// Ended workers beyond those kept are dropped before it: the view stays on its target.
		for (let index = 3; index <= keptEndedWorkers + 3; index++) {
			store.applyAll([
				{type: 'attached', targetId: `p/w${index}`, time: index, info: worker(index), samplingInterval: 131_072},
				{type: 'exited', targetId: `p/w${index}`, time: index, reason: 'the worker ended'},
			]);
		}

		assert.ok(!store.getSnapshot().state.targets.some(target => target.info.id === 'p/w1'), 'the oldest ended worker was dropped');
		assert.equal(shown(), 'p/w2');
		store.dispatch({type: 'move', by: 2});
		// The shown one dropped in turn: the view starts afresh on the first target.
		store.apply({type: 'exited', targetId: 'p/w2', time: Date.now(), reason: 'the worker ended'});
		store.applyAll([{type: 'attached', targetId: 'p/w99', time: 99, info: worker(99), samplingInterval: 131_072}, {type: 'exited', targetId: 'p/w99', time: 99, reason: 'the worker ended'}]);
		store.apply({type: 'attached', targetId: 'p/w100', time: 100, info: worker(100), samplingInterval: 131_072});
		assert.equal(shown(), 'p');
		assert.equal(store.getSnapshot().state.view.selected, 0);
	});

	it(', and . with one target, and u, say what they did', () => {
		const store = createStore();
		store.applyAll(session(0));
		const said = () => store.getSnapshot().state.view.said;
		store.dispatch({type: 'switch-target', by: 1});
		assert.match(said()!, /^, \.: one target only/);
		store.dispatch({type: 'toggle-grouping'});
		assert.equal(said(), undefined, 'counted in the user\'s frames: the status line says so while it lasts');
		store.dispatch({type: 'toggle-grouping'});
		assert.match(said()!, /^u: every function as V8 reports it/);
	});

	it('the all-targets view merges the sites of every target, and reads whole at 80×24 with 8 targets', async () => {
		const store = createStore();
		store.applyAll(session(7));
		store.dispatch({type: 'switch-target', by: -1});
		const {merged} = store.getSnapshot();
		const one = createStore();
		one.applyAll(session(0));
		const own = one.getSnapshot().data!.allRows;
		assert.equal(merged?.length, own.length, 'the same program in 8 targets: the same sites');
		assert.equal(merged[0]!.liveBytes, 8 * own.find(row => row.key === merged[0]!.key)!.liveBytes, 'live bytes summed');
		assert.equal(merged[0]!.parts.length, 8);
		const view = renderAt(<App store={store} cwd="/work" color={false} onQuit={() => undefined} />, 80, 24);
		for (let tick = 0; tick < 200 && !(view.lastFrame() ?? '').includes('in each target:'); tick++) {
			await new Promise(resolve => {
				setTimeout(resolve, 5);
			});
		}

		const lines = view.lastFrame()!.split('\n');
		view.unmount();
		assert.ok(lines.length <= 24, `${lines.length} lines`);
		assert.ok(lines.every(line => stringWidth(line) <= 80), lines.filter(line => stringWidth(line) > 80).join('\n'));
		assert.match(lines[0]!, / all$/);
		assert.match(lines[1]!, /^all 8 targets {3}heap [\d.]+ MB {3}sampled [\d.]+ [kM]B {3}no target leaking/);
		assert.match(lines.join('\n'), /in each target:\n +#1 pid 4242 server\.js/);
		assert.ok(lines.some(line => /^› +1 /.test(line)), 'the first merged site is selected');
	});

	it('c in the all-targets view compares across every target\'s snapshots: 8 copies of one program compare as that program does', () => {
		const store = createStore();
		store.applyAll(session(7));
		store.dispatch({type: 'switch-target', by: -1});
		store.dispatch({type: 'toggle-compare'});
		const across = store.getSnapshot().mergedComparison!;
		const one = createStore();
		one.applyAll(session(0));
		one.dispatch({type: 'toggle-compare'});
		const alone = one.getSnapshot().data!.comparison;
		assert.equal(across.snapshots, 8 * alone.snapshots);
		const mean = (rows: typeof alone.rows) => new Map(rows.map(row => [row.key, Math.round(row.meanBytes)]));
		assert.deepEqual(mean(across.rows), mean(alone.rows));
		assert.deepEqual(across.rows.slice(0, 5).map(row => row.key), alone.rows.slice(0, 5).map(row => row.key));
	});

	it('the bar names every target when they fit, and keeps 8 on one line at 80 columns with the shown one whole', () => {
		const few = createStore();
		few.applyAll(session(3));
		few.apply({type: 'exited', targetId: 'p/w3', time: Date.now(), reason: 'the worker ended'});
		const wide = renderAt(<TargetBar targets={few.getSnapshot().state.targets} active={1} all={false} width={200} color={false} cwd="/work" />, 200, 5);
		assert.match(wide.lastFrame()!, /^1 pid 4242 server\.js [\d.]+ [kM]B │ 2 \[worker 1\] pool-1 [\d.]+ [kM]B │ 3 .* │ 4 \[worker 3\] pool-3 [\d.]+ [kM]B ✕ │ all$/m);
		wide.unmount();
		const many = createStore();
		many.applyAll(session(7));
		many.apply({type: 'exited', targetId: 'p/w3', time: Date.now(), reason: 'the worker ended'});
		const narrow = renderAt(<TargetBar targets={many.getSnapshot().state.targets} active={4} all={false} width={80} color={false} cwd="/work" />, 80, 5);
		const [line, ...rest] = narrow.lastFrame()!.split('\n').filter(text => text.trim() !== '');
		assert.equal(rest.length, 0, narrow.lastFrame());
		assert.match(line!, /^1 2 3 4 ✕ 5 \[worker 4\] pool-4 [\d.]+ [kM]B 6 7 8 all$/);
		narrow.unmount();
	});
});

describe('the view follows a leaking target until the user picks one', () => {
	it('shows the worker that leaks beside an idle main thread, and stays where the user goes', () => {
		const store = createStore();
		store.applyAll(session(0));
		// A real worker's leak (fixtures/moved-leak.ltrec: a timer callback leaking ~3 MB/s), as the worker's events.
		const recorded = decodeRecording(readFileSync(new URL('fixtures/moved-leak.ltrec', import.meta.url))).events;
		store.applyAll(recorded.flatMap((event): LeaktopEvent[] => {
			if (event.type === 'attached') {
				return [{...event, targetId: 'p/w1', info: worker(1)}];
			}

			return event.type === 'snapshot' ? [{...event, targetId: 'p/w1', snapshot: {...event.snapshot, targetId: 'p/w1'}}] : [];
		}));
		const shown = () => store.getSnapshot().data?.target.info.id;
		assert.equal(shown(), 'p/w1', 'the leaking worker, not the idle main thread');
		assert.ok(store.getSnapshot().data!.rows.some(row => row.suspect && row.functionName === 'rememberJobs'));
		store.dispatch({type: 'switch-target', by: -1});
		assert.equal(shown(), 'p');
		store.applyAll(session(0).filter(event => event.type === 'snapshot').slice(0, 2));
		assert.equal(shown(), 'p', 'once chosen, the view stays');
	});
});
