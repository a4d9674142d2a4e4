import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import {gunzipSync} from 'node:zlib';
import {callPathLeaks, movedText} from '../source/model/analyses/call-tree-age.js';
import {ageBins, survivorAge, type AgeClock} from '../source/model/analyses/survivor-age.js';
import {aggregateProfile, type ProfileNode, type SamplingProfile} from '../source/model/profile.js';

type LastProfile = {readonly program: string; readonly node?: string; readonly clock: AgeClock; readonly profile: SamplingProfile};

/** A real run's last profile and its polls' clock, kept by test/fixtures/last-profile.ts. */
function lastProfile(name: string): LastProfile {
	return JSON.parse(gunzipSync(readFileSync(new URL(`fixtures/${name}.json.gz`, import.meta.url))).toString('utf8')) as LastProfile;
}

/** The leaf verdicts of a profile, and the leaks found on its call tree beside them, as the model judges them. */
function judge(fixture: Pick<LastProfile, 'clock' | 'profile'>) {
	const bins = ageBins(fixture.clock);
	const aggregate = aggregateProfile(fixture.profile, 'site', bins);
	const leaf = new Map(aggregate.sites.map(site => [site.functionName, survivorAge(site.ageBytes!, site.ageSamples!, site.recentBytes!, bins).verdict]));
	return {leaf, moved: callPathLeaks(fixture.profile, bins), start: bins.times[0]!};
}

describe('survivor age on the call tree', () => {
	it('joins a timer callback\'s leak that V8 inlined into listOnTimeout (Node 20, main thread, 28 s)', () => {
		const {leaf, moved, start} = judge(lastProfile('age-moved-leak'));
		// The split as a user saw it: neither half reads as a leak on its own.
		assert.equal(leaf.get('rememberJobs'), 'one-time');
		assert.notEqual(leaf.get('listOnTimeout'), 'leaking');
		assert.equal(moved.length, 1, JSON.stringify(moved.map(leak => leak.frame?.functionName)));
		const [leak] = moved;
		assert.equal(leak!.frame?.functionName, 'rememberJobs', 'named by the callback, the user\'s code');
		assert.equal(leak!.node.functionName, 'listOnTimeout');
		assert.equal(leak!.age.verdict, 'leaking');
		assert.equal(leak!.moves.length, 1);
		assert.equal(leak!.moves[0]!.cause, 'inlined');
		const at = (leak!.moves[0]!.at - start) / 1000;
		assert.ok(at > 5 && at < 20, `moved at ${at} s`);
		assert.match(movedText(leak!), /^allocations moved to listOnTimeout at \d+ s \(inlined by V8\)$/);
	});

	it('names a moved leak by its callback where Node\'s caller alone reads leaking (Node 20, main thread at 40 s, and a worker)', () => {
		for (const fixture of ['age-moved-leak-40s', 'age-moved-leak-worker']) {
			const {leaf, moved} = judge(lastProfile(fixture));
			assert.equal(leaf.get('listOnTimeout'), 'leaking', 'the half a user saw flagged, with no frame of theirs');
			assert.notEqual(leaf.get('rememberJobs'), 'leaking');
			assert.deepEqual(moved.map(leak => [leak.frame?.functionName, leak.node.functionName]), [['rememberJobs', 'listOnTimeout']], fixture);
		}
	});

	it('joins nothing in programs without a moved leak: LRU, TTL, one-time cache, spike, churn; a slow leak beside a warm cache', () => {
		assert.deepEqual(judge(lastProfile('age-shapes')).moved, []);
		assert.deepEqual(judge(lastProfile('age-slow-leak-warm-cache')).moved, [], 'the slow leak is named by its own site');
	});

	// A synthetic tree: a callee and its caller taking turns, band by band, as V8 inlines and deoptimises the callee.
	const clock: AgeClock = {polls: Array.from({length: 11}, (_, index) => ({time: index * 10_000, ordinal: index * 100})), growth: []};
	const frame = (functionName: string, url: string, line: number) => ({functionName, scriptId: url === '' ? '0' : '1', url, lineNumber: line, columnNumber: 0});
	/** Three samples a band in each band named, for the callee `tick`, its caller's own frame and a sibling `sweep` (or `perBand` for the callee). */
	function turns(callee: readonly number[], caller: readonly number[], other: readonly number[] = [], perBand = 3): SamplingProfile {
		const inBand = (band: number, count: number, nodeId: number) => Array.from({length: count}, (_, index) => ({nodeId, size: 1000, ordinal: (band * 100) + 10 + index}));
		const samples = [
			...callee.flatMap(band => inBand(band, perBand, 3)),
			...caller.flatMap(band => inBand(band, 3, 2)),
			...other.flatMap(band => inBand(band, 3, 4)),
		];
		const self = (id: number) => samples.filter(sample => sample.nodeId === id).length * 1000;
		const node = (id: number, name: string, url: string, line: number, children: ProfileNode[] = []): ProfileNode => ({callFrame: frame(name, url, line), selfSize: self(id), id, children});
		return {
			head: node(1, '(root)', '', -1, [node(2, 'listOnTimeout', 'node:internal/timers', 500, [node(3, 'tick', 'file:///app.js', 3), node(4, 'sweep', 'file:///app.js', 9)])]),
			samples,
		};
	}

	it('follows a leak moved several times, into the caller and back (deoptimised)', () => {
		const {moved} = judge({clock, profile: turns([0, 1, 2, 3, 6], [4, 5, 7, 8, 9])});
		assert.equal(moved.length, 1);
		assert.equal(moved[0]!.frame?.functionName, 'tick');
		assert.deepEqual(moved[0]!.moves.map(move => [move.cause, move.to.functionName, Math.round(move.at / 1000)]), [
			['inlined', 'listOnTimeout', 41], ['deoptimised', 'tick', 60], ['inlined', 'listOnTimeout', 70],
		]);
	});

	it('joins no two siblings, nor a cache the callee built once with a store the caller keeps recent entries in', () => {
		// One callback held the first bands, another the rest: two functions, not one that moved.
		assert.deepEqual(judge({clock, profile: turns([0, 1, 2, 3], [], [4, 5, 6, 7, 8, 9])}).moved, []);
		// A gap between the callee's bands and the caller's: the callee stopped, and something else began later.
		assert.deepEqual(judge({clock, profile: turns([0, 1], [5, 6, 7, 8, 9])}).moved, []);
		// The control: the same callee and caller without the gap are a moved leak.
		assert.equal(judge({clock, profile: turns([0, 1, 2, 3, 4], [5, 6, 7, 8, 9])}).moved.length, 1);
		// A cache the callee built in a burst, then a store the caller began right after it: two paces, two things.
		assert.deepEqual(judge({clock, profile: turns([0, 1], [2, 3, 4, 5, 6, 7, 8, 9], [], 30)}).moved, []);
		assert.equal(judge({clock, profile: turns([0, 1], [2, 3, 4, 5, 6, 7, 8, 9])}).moved.length, 1, 'at one pace, a move');
	});
});
