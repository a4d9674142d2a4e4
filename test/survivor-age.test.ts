import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import {gunzipSync} from 'node:zlib';
import {ageBandCount, ageBins, ordinalAtTime, survivorAge, type AgeClock, type AgeVerdict} from '../source/model/analyses/survivor-age.js';
import {History} from '../source/model/history.js';
import {aggregateProfile, type SamplingProfile} from '../source/model/profile.js';
import {judgeSites, rankSites} from '../source/model/ranking.js';

type LastProfile = {readonly program: string; readonly polls: number; readonly clock: AgeClock; readonly profile: SamplingProfile};

/** A real run's last profile and its polls' clock, kept by test/fixtures/last-profile.ts. */
function lastProfile(name: string): LastProfile {
	return JSON.parse(gunzipSync(readFileSync(new URL(`fixtures/${name}.json.gz`, import.meta.url))).toString('utf8')) as LastProfile;
}

/** The verdict of every site that holds samples enough, by function name, from that one profile. */
function verdicts(fixture: LastProfile): Map<string, AgeVerdict> {
	const bins = ageBins(fixture.clock);
	const aggregate = aggregateProfile(fixture.profile, 'site', bins);
	return new Map(aggregate.sites.map(site => [site.functionName, survivorAge(site.ageBytes!, site.ageSamples!, site.recentBytes!, bins).verdict]));
}

describe('survivor age, from the last profile of a real run', () => {
	it('names a fast leak (~1 GB/min) after 10 s, at its rate', () => {
		const fixture = lastProfile('age-fast-leak');
		const bins = ageBins(fixture.clock);
		const aggregate = aggregateProfile(fixture.profile, 'site', bins);
		const leak = aggregate.sites.find(site => site.functionName === 'leakFast')!;
		const age = survivorAge(leak.ageBytes!, leak.ageSamples!, leak.recentBytes!, bins);
		assert.equal(age.verdict, 'leaking');
		assert.ok(age.retentionPerMinute > 400e6 && age.retentionPerMinute < 2e9, `${age.retentionPerMinute} B/min`);
		assert.equal(age.bands.length, ageBandCount);
		assert.ok(Math.abs(age.bands.reduce((sum, bytes) => sum + bytes, 0) - leak.liveBytes) < 1, 'the bands add up to the live bytes');
	});

	it('names a slow leak beside a 450 MB cache that warmed up over 25 s, and calls the cache one-time', () => {
		const fixture = lastProfile('age-slow-leak-warm-cache');
		const found = verdicts(fixture);
		assert.equal(found.get('leakSlowly'), 'leaking');
		assert.equal(found.get('warmCache'), 'one-time');
		assert.deepEqual([...found].filter(([, verdict]) => verdict === 'leaking').map(([name]) => name), ['leakSlowly']);
	});

	it('flags none of a size-bounded LRU, TTL sessions, a one-time cache, a spike and churn', () => {
		const found = verdicts(lastProfile('age-shapes'));
		assert.equal(found.get('buildCatalogOnce'), 'one-time');
		assert.ok([undefined, 'transient'].includes(found.get('holdSpike')), `the spike, when held at the last poll: ${found.get('holdSpike')}`);
		assert.equal(found.get('openSessions'), 'bounded');
		assert.ok(['bounded', 'transient'].includes(found.get('cacheRecent')!), `LRU: ${found.get('cacheRecent')}`);
		assert.deepEqual([...found].filter(([, verdict]) => verdict === 'leaking'), []);
	});
});

describe('survivor age, its parts', () => {
	const clock: AgeClock = {polls: [{time: 0, ordinal: 0}, {time: 10_000, ordinal: 100}, {time: 20_000, ordinal: 1100}], growth: []};

	it('reads the allocation clock linearly between polls, clamped at its ends', () => {
		assert.equal(ordinalAtTime(clock, 5000), 50);
		assert.equal(ordinalAtTime(clock, 15_000), 600);
		assert.equal(ordinalAtTime(clock, 30_000), 1100);
		assert.equal(ordinalAtTime(clock, -5), 0);
	});

	it('shapes the clock between two polls by how the heap grew in between', () => {
		// The heap grew 90 MB in the interval's first quarter, then 10 MB over the rest: so did allocation.
		const growth = [{time: 10_000, bytes: 0}, {time: 12_500, bytes: 90e6}, {time: 20_000, bytes: 100e6}];
		const shaped: AgeClock = {polls: clock.polls, growth};
		assert.equal(Math.round(ordinalAtTime(shaped, 12_500)), 100 + 900);
		assert.equal(Math.round(ordinalAtTime(shaped, 5000)), 50, 'an interval without readings stays linear');
		assert.equal(ordinalAtTime(shaped, 20_000), 1100);
	});

	it('cuts bands equal in time, not in bytes allocated, and starts the recent window a tenth back at least', () => {
		const bins = ageBins(clock);
		assert.deepEqual(bins.edges.map(Math.round), [0, 20, 40, 60, 80, 100, 300, 500, 700, 900, 1100]);
		assert.deepEqual(bins.recent.map(window => window.from), [100], 'the newest poll alone covers half the clock');
		const shaped = ageBins({polls: clock.polls, growth: [{time: 10_000, bytes: 0}, {time: 20_000, bytes: 1}]});
		assert.deepEqual(shaped.recent.map(window => Math.round(window.from)), [100, 700], 'with heap readings, the newest fifth of the clock too');
	});

	const even = Array.from({length: ageBandCount}, () => 1000);
	const evenCounts = Array.from({length: ageBandCount}, () => 4);
	it('calls survivors from every period, still added to, a leak', () => {
		const age = survivorAge(even, evenCounts, [5000], ageBins(clock));
		assert.equal(age.verdict, 'leaking');
		assert.equal(Math.round(age.retentionPerMinute), Math.round((9000 * 60_000) / 18_000));
	});

	it('calls the same bands one-time when nothing was added in the recent window', () => {
		assert.equal(survivorAge(even, evenCounts, [0], ageBins(clock)).verdict, 'one-time');
	});

	it('still calls a leak leaking when the heap stalled in the newest fifth while the leak kept adding', () => {
		// Two profiles 17.5 s apart. The heap's rises stopped at 14 s (a cache filled; the leak is small and its
		// churn is collected), so the heap-shaped clock puts no allocation in the newest fifth; the leak's 50
		// samples are even in ordinal, so the poll-aligned window finds it still adding at its mean rate.
		const stalled: AgeClock = {
			polls: [{time: 0, ordinal: 0}, {time: 500, ordinal: 5}, {time: 18_000, ordinal: 1000}],
			growth: Array.from({length: 19}, (_, second) => ({time: second * 1000, bytes: Math.min(second, 14) * 10e6})),
		};
		const profile: SamplingProfile = {
			head: {callFrame: {functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1}, selfSize: 0, id: 1, children: [
				{callFrame: {functionName: 'remember', scriptId: '7', url: 'file:///memo.js', lineNumber: 3, columnNumber: 0}, selfSize: 50 * 131_072, id: 2, children: []},
			]},
			samples: Array.from({length: 50}, (_, index) => ({size: 131_072, nodeId: 2, ordinal: 10 + (index * 19.8)})),
		};
		const bins = ageBins(stalled);
		const [leak] = aggregateProfile(profile, 'site', bins).sites;
		assert.equal(leak!.recentBytes![1], 0, 'the heap-shaped window holds none of it');
		assert.equal(survivorAge(leak!.ageBytes!, leak!.ageSamples!, leak!.recentBytes!, bins).verdict, 'leaking');
	});

	it('does not call old and new survivors a leak unless they come from most periods', () => {
		const ends = [5000, 0, 0, 0, 0, 0, 0, 0, 0, 5000];
		const age = survivorAge(ends, ends.map(bytes => (bytes > 0 ? 20 : 0)), [5000], ageBins(clock));
		assert.equal(age.verdict, 'long-lived');
	});

	it('says when a site has too few samples to judge', () => {
		assert.equal(survivorAge(even, evenCounts.map(() => 1), [5000], ageBins(clock)).verdict, 'unknown');
	});

	it('gives a bounded site its horizon', () => {
		const recent = [0, 0, 0, 0, 0, 0, 0, 2000, 3000, 3000];
		const age = survivorAge(recent, recent.map(bytes => (bytes > 0 ? 10 : 0)), [6000], ageBins(clock));
		assert.equal(age.verdict, 'bounded');
		assert.equal(age.horizonMs, 6000);
	});
});

describe('survivor age for a builtin too thin to judge', () => {
	const frame = (functionName: string, url: string, lineNumber: number) => ({functionName, scriptId: url === '' ? '0' : '7', url, lineNumber, columnNumber: 0});
	// handler (user code) keeps 40 samples spread over the whole clock: a leak. Under it, `push` holds one old
	// sample, and `set` one sample just allocated: a backing store reallocated to grow.
	const samples = [
		...Array.from({length: 40}, (_, index) => ({size: 1000, nodeId: 2, ordinal: 1 + (index * 25)})),
		{size: 1000, nodeId: 3, ordinal: 5},
		{size: 500_000, nodeId: 4, ordinal: 990},
	];
	const profile: SamplingProfile = {
		head: {callFrame: frame('(root)', '', -1), selfSize: 0, id: 1, children: [{
			callFrame: frame('handler', 'file:///app.js', 3), selfSize: 40 * 131_072, id: 2, children: [
				{callFrame: frame('push', '', -1), selfSize: 131_072, id: 3, children: []},
				{callFrame: frame('set', '', -1), selfSize: 500_000, id: 4, children: []},
			],
		}]},
		samples,
	};
	const clock: AgeClock = {polls: [{time: 0, ordinal: 0}, {time: 10_000, ordinal: 500}, {time: 20_000, ordinal: 1000}], growth: []};

	it('takes its user frame\'s verdict only when all it holds is recent, as a reallocated backing store', () => {
		const bins = ageBins(clock);
		const history = new History();
		const latest = aggregateProfile(profile, 'site', bins);
		history.add(20_000, latest, {heapUsed: 1, heapTotal: 1, rss: 1, external: 1, arrayBuffers: 1});
		const rows = rankSites(history, latest, history.points(), 'leak', 131_072, judgeSites(history, latest, 131_072, true, {userFrames: {profile, grouped: aggregateProfile(profile, 'user', bins)}}));
		const verdict = (name: string) => rows.find(row => row.functionName === name)!.verdict;
		assert.equal(verdict('handler'), 'leaking');
		assert.equal(verdict('set'), 'leaking', 'the backing store of a leaking collection');
		assert.equal(verdict('push'), 'unknown', 'one old sample says nothing of a leak');
	});
});
