import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import {judgedSites, judgementOf} from '../source/model/judged.js';
import {createModel, type TargetState} from '../source/model/target.js';
import {decodeRecording} from '../source/sinks/recording-format.js';

/** Replays a real recorded run (leaktop --report --record, Node 20, default settings) poll by poll. */
function* polls(name: string): Generator<{readonly seconds: number; readonly target: TargetState}> {
	const model = createModel();
	for (const event of decodeRecording(readFileSync(new URL(`fixtures/${name}.ltrec`, import.meta.url))).events) {
		model.apply(event);
		if (event.type === 'snapshot') {
			const target = model.targets[0]!;
			yield {seconds: (event.time - target.attachedAt) / 1000, target};
		}
	}
}

const suspects = (target: TargetState) => judgedSites(target, 'leak').filter(row => row.suspect);

describe('a leak that begins late, across profiles', () => {
	it('is named once its survivors outlive their span, beside TTL sessions and an LRU that run from the start (60 s)', () => {
		let found: {seconds: number; basis: string} | undefined;
		for (const {seconds, target} of polls('late-leak')) {
			const named = suspects(target).map(row => row.functionName);
			if (seconds >= 20) {
				assert.ok(named.every(name => name === 'leakLate'), `at ${seconds} s: ${named.join(', ')}`);
			}

			const leak = judgedSites(target).find(row => row.functionName === 'leakLate');
			if (found === undefined && leak?.suspect === true) {
				found = {seconds, basis: leak.growthBasis};
			}

			if (seconds >= 55) {
				assert.equal(leak?.suspect, true, `at ${seconds} s: ${leak?.verdict}`);
				// Grouped by user frame (the table's `g`), the same leak, watched in that grouping's own figures.
				assert.deepEqual([...judgementOf(target, 'user').sites].filter(([, judged]) => judged.suspect).map(([key]) => key.split('\u0000')[0]), ['leakLate'], `grouped, at ${seconds} s`);
				assert.ok(['late', 'age'].includes(leak.growthBasis), leak.growthBasis);
			}
		}

		// It began at 25 s: by survivor age alone it reads `bounded` (nothing old); across profiles it is a leak.
		assert.deepEqual(found, {seconds: found?.seconds, basis: 'late'});
		assert.ok(found!.seconds < 55, `named at ${found!.seconds} s`);
	});

	it('leaves the LRU, the TTL sessions, the one-time cache, the spike and the churn clean from 30 s to 120 s', () => {
		let last = 0;
		for (const {seconds, target} of polls('shapes-120s')) {
			if (seconds >= 30) {
				assert.deepEqual(suspects(target).map(row => row.functionName), [], `at ${seconds} s`);
				const verdict = (name: string) => judgedSites(target).find(row => row.functionName === name)?.verdict;
				assert.equal(verdict('buildCatalogOnce'), 'one-time');
				assert.ok(['bounded', 'transient'].includes(verdict('openSessions')!), `TTL: ${verdict('openSessions')}`);
			}

			last = seconds;
		}

		assert.ok(last >= 119, `the run lasted ${last} s`);
	});

	it('leaves churn clean when V8 moves it into listOnTimeout mid-run (a real 40 s run on a loaded machine)', () => {
		// The callback's allocations went to listOnTimeout late in the run: its history rose from nothing, while every
		// byte it holds was allocated in the newest band. Growth its survivors do not show is not a leak.
		let last = 0;
		let moved = false;
		let turnover = false;
		for (const {seconds, target} of polls('churn-inlined')) {
			assert.deepEqual(suspects(target).map(row => row.functionName), [], `at ${seconds} s`);
			assert.deepEqual([...judgementOf(target, 'user').sites].filter(([, judged]) => judged.suspect).map(([key]) => key), [], `grouped, at ${seconds} s`);
			const inlined = judgedSites(target).find(row => row.functionName === 'listOnTimeout');
			moved ||= (inlined?.growthPerMinute ?? 0) > 0;
			// Its history grew; its few survivors, all young and small, say turnover.
			turnover ||= inlined?.verdict === 'transient';
			last = seconds;
		}

		assert.ok(moved && turnover, 'listOnTimeout grew in the history, and was judged by its survivors');
		assert.ok(last >= 35, `the run lasted ${last} s`);
	});
});
