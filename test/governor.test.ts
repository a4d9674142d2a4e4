import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {admitted, budgetShare, govern, latestDue, reserveFor} from '../source/sample/governor.js';
import {Pacer} from '../source/sample/pacer.js';
import type {Pause} from '../source/model/pause-ledger.js';
import type {Governor} from '../source/model/snapshot.js';
import {profileSizeHint} from '../source/model/profile-size.js';

/** Runs polls of the given costs through the governor: when each began, and the intervals it chose. */
function session(costs: readonly number[], requestedMs: number, budget: number) {
	let state: Governor | undefined;
	let time = 0;
	const polls: Array<{start: number; cost: number}> = [];
	const intervals: number[] = [];
	for (const cost of costs) {
		polls.push({start: time, cost});
		state = govern(state, cost, requestedMs, budget);
		time += state.intervalMs;
		intervals.push(state.intervalMs);
	}

	return {intervals, polls, last: state!};
}

/** The highest share of any minute after the first poll spent in polls (each minute starting at a poll). */
function worstMinute(polls: ReadonlyArray<{start: number; cost: number}>): number {
	let worst = 0;
	for (const [index, poll] of polls.entries()) {
		if (index === 0) {
			continue;
		}

		const paused = polls.filter(other => other.start >= poll.start && other.start < poll.start + 60_000).reduce((sum, other) => sum + other.cost, 0);
		worst = Math.max(worst, paused / 60_000);
	}

	return worst;
}

describe('the overhead governor', () => {
	it('keeps the requested interval while polls are cheap', () => {
		const {intervals, last} = session(Array.from({length: 100}, () => 5), 1000, 0.01);
		assert.ok(intervals.every(interval => interval === 1000));
		assert.equal(last.stretched, false);
	});

	it('paces polls by their cost from the first one on, with no burst at start-up', () => {
		const {intervals} = session(Array.from({length: 40}, () => 40), 1000, 0.005);
		// 40 ms / 0.5% is 8 s; seven 40 ms polls fit a minute's 300 ms, so 60 s / 7 apart.
		assert.ok(intervals.every(interval => interval === 60_000 / 7), intervals.join(', '));
	});

	it('holds every minute after the first poll to the budget, a growing heap included', () => {
		for (const cost of [5, 20, 55, 150, 290]) {
			const {polls} = session(Array.from({length: 200}, () => cost), 1000, 0.005);
			assert.ok(worstMinute(polls) <= 0.005 + 1e-9, `${cost} ms polls: ${worstMinute(polls)}`);
		}

		// A poll dearer than a minute's budget is held to it over its own interval.
		for (const cost of [400, 2000]) {
			const {polls, intervals} = session(Array.from({length: 20}, () => cost), 1000, 0.005);
			assert.ok(polls.length * cost <= 0.005 * intervals.reduce((sum, interval) => sum + interval, 0) + 1e-6, `${cost} ms polls`);
		}

		// A leak: each poll costs 2% more than the one before (20 to 140 ms).
		const growing = session(Array.from({length: 100}, (_, index) => 20 * (1.02 ** index)), 1000, 0.005);
		assert.ok(worstMinute(growing.polls) <= 0.005 + 1e-9, `growing heap: ${worstMinute(growing.polls)}`);
	});

	it('governs a big heap from its first poll', () => {
		const state = govern(undefined, 2000, 1000, 0.005);
		assert.equal(state.intervalMs, 400_000);
		assert.equal(state.stretched, true);
	});

	it('stretches at once after a slow poll, and relaxes when polls get cheap again', () => {
		let state = session(Array.from({length: 50}, () => 5), 1000, 0.01).last;
		state = govern(state, 200, 1000, 0.01);
		assert.ok(state.intervalMs >= 200 / 0.01 && state.stretched);
		for (let poll = 0; poll < 30; poll++) {
			state = govern(state, 5, 1000, 0.01);
		}

		assert.equal(state.intervalMs, 1000);
	});
});

describe('profileSizeHint', () => {
	it('warns only past 50k nodes, with the cost and a coarser interval', () => {
		assert.equal(profileSizeHint(49_999, 131_072), undefined);
		assert.equal(profileSizeHint(132_000, 131_072), 'profile of 132k nodes: each poll briefly costs the target ~132 MB; --sampling-interval 524288 would shrink it');
	});
});

describe('admitted', () => {
	it('holds the budget as measured: after polls dearer than planned, the next waits until they leave the minute', () => {
		// 0.5% of a minute is 300 ms; 270 ms with the headroom kept for a surprise.
		const pauses = [{end: 10_000, ms: 100}, {end: 20_000, ms: 100}, {end: 30_000, ms: 60}];
		assert.equal(admitted(pauses, 31_000, 5, 0.005), 31_000, '265 ms with this one: it may go');
		const due = admitted(pauses, 31_000, 20, 0.005);
		assert.equal(due, 10_000 + 60_000 - 20, 'it waits for the first to leave the minute that would end with it');
		assert.equal(admitted([], 5000, 20, 0.005), 5000);
		// 400 ms is more than a minute's budget: it is judged over its own interval at the budget, 400 / (0.9 × 0.5%).
		const span = 400 / (0.9 * 0.005);
		assert.equal(admitted([{end: 1000, ms: 500}], 2000, 400, 0.005), 1000 + span - 400, 'a dear poll waits for the one before to leave that stretch');
		assert.equal(admitted([{end: 1000, ms: 500}], 70_000, 400, 0.005), 1000 + span - 400, 'a minute later is not enough');
		assert.equal(admitted([{end: 1000, ms: 500}], 100_000, 400, 0.005), 100_000, 'alone in that stretch, it is left to the plan');
	});

	it('keeps every minute of a session whose polls come out dearer than foreseen within the budget', () => {
		// The plan is told 10 ms polls; every fourth really costs 60 ms (the heap spiked between two polls).
		const run = (admit: boolean) => {
			let state: Governor | undefined;
			let time = 0;
			const polls: Array<{start: number; cost: number}> = [];
			const pauses: Array<{end: number; ms: number}> = [];
			for (let index = 0; index < 400; index++) {
				const cost = index % 4 === 3 ? 60 : 10;
				polls.push({start: time, cost});
				if (index > 0) {
					pauses.push({end: time + cost, ms: cost});
				}

				state = govern(state, 10, 1000, 0.005);
				time = admit ? admitted(pauses, time + state.intervalMs, state.pollMs, 0.005) : time + state.intervalMs;
			}

			return worstMinute(polls);
		};

		assert.ok(run(true) <= 0.005, `worst minute ${run(true)}`);
		assert.ok(run(false) > 0.005 * 1.2, `without it the same session goes over: ${run(false)} (the test can fail)`);
	});
});

/** Polls whose real cost is `actual(index)`, let go by the sampler's own pacer, on a clock of the test's. */
function paced(actual: (index: number) => number, count: number, budget: number) {
	const pacer = new Pacer(1000);
	let time = 0;
	const polls: Array<{start: number; cost: number}> = [];
	for (let index = 0; index < count; index++) {
		const cost = actual(index);
		const end = time + cost;
		polls.push({start: time, cost});
		pacer.polled({start: time, end, overlapped: false, empty: false, retained: true, heapBytes: 50e6, budget});
		time = pacer.wait(end)(50e6, budget, end);
		pacer.letGo(50e6);
	}

	return polls;
}

/** The same polls paced by the plan and the measured budget alone, with no reserve for surprises: what the pacer adds it to. */
function pacedWithoutReserve(actual: (index: number) => number, count: number, budget: number) {
	let state: Governor | undefined;
	let time = 0;
	const polls: Array<{start: number; cost: number}> = [];
	const pauses: Pause[] = [];
	for (let index = 0; index < count; index++) {
		const cost = actual(index);
		polls.push({start: time, cost});
		if (index > 0) {
			pauses.push({end: time + cost, ms: cost});
		}

		state = govern(state, cost, 1000, budget);
		time = admitted(pauses, time + state.intervalMs, Math.max(state.pollMs, state.lastPollMs), budget);
	}

	return polls;
}

/** The highest share of a poll's own stretch, max(1 min, its cost / budget), ending or starting with it, from poll `from` on. */
function worstSpan(polls: ReadonlyArray<{start: number; cost: number}>, budget: number, from: number): number {
	const paused = (start: number, end: number) => polls.slice(1).reduce((sum, poll) => sum + Math.max(0, Math.min(poll.start + poll.cost, end) - Math.max(poll.start, start)), 0);
	return Math.max(...polls.slice(from).flatMap(poll => {
		const span = Math.max(60_000, poll.cost / budget);
		return [paused(poll.start, poll.start + span) / span, paused(poll.start + poll.cost - span, poll.start + poll.cost) / span];
	}));
}

describe('the reserve for surprises', () => {
	it('holds each stretch of a growing, spiky heap within the budget once a poll has come out dearer than foreseen', () => {
		// Polls grow 4% each from 150 ms, past a minute's budget (300 ms at 0.5%) to some 700 ms; every third is 30% dearer.
		const actual = (index: number) => 150 * (1.04 ** index) * (index % 3 === 2 ? 1.3 : 1);
		const budget = 0.005;
		// The first surprise (poll 2) cannot be foreseen; from the one after it the reserve is in force.
		const held = worstSpan(paced(actual, 40, budget), budget, 3);
		const unheld = worstSpan(pacedWithoutReserve(actual, 40, budget), budget, 3);
		assert.ok(held <= budget + 1e-9, `with the reserve: ${held}`);
		assert.ok(unheld > budget * 1.1, `without it the same heap goes over: ${unheld} (the test can fail)`);
	});

	it('forgets a surprise after ten minutes, but not the newest before the next poll, and never holds polls back more than threefold', () => {
		assert.equal(reserveFor([{at: 0, ratio: 2}, {at: 1000, ratio: 1.2}], 600_500), 1.2, 'the older has left the memory');
		assert.equal(reserveFor([{at: 0, ratio: 2}], 900_000), 2, 'the newest holds through a wait longer than the memory');
		assert.equal(reserveFor([{at: 0, ratio: 0.5}], 1000), 1, 'a poll cheaper than foreseen asks for no reserve');
		assert.equal(reserveFor([{at: 0, ratio: 40}], 1000), 3);
	});
});

describe('the pacer', () => {
	const poll = (start: number, ms: number, extra: Partial<Parameters<Pacer['polled']>[0]> = {}) => ({start, end: start + ms, overlapped: false, empty: false, retained: true, heapBytes: 300e6, budget: 0.005, ...extra});

	it('says once that a poll outgrew a minute\'s budget, from the first governed poll on', () => {
		const pacer = new Pacer(1000);
		assert.equal(pacer.polled(poll(0, 900)).dearPoll, undefined, 'the first poll pays for start-up as well');
		const second = pacer.polled(poll(200_000, 800)).dearPoll;
		assert.match(second!, /^a poll now pauses the target 800 ms \(a full GC of a 300 MB heap\), more than its budget of 0\.5% of a minute/);
		assert.equal(pacer.polled(poll(400_000, 800)).dearPoll, undefined, 'said once');
	});

	it('does not stretch for a poll a heavy operation overlapped, nor count its pause', () => {
		const pacer = new Pacer(1000);
		const first = pacer.polled(poll(0, 5)).governor;
		const overlapped = pacer.polled(poll(1000, 2000, {overlapped: true})).governor;
		assert.equal(overlapped.intervalMs, first.intervalMs);
		assert.equal(overlapped.lastPollMs, 2000);
		assert.equal(pacer.wait(3000)(300e6, 0.005, 3000), 2000, 'due at the plan: no dear pause in the ledger');
	});

	it('lets an empty first profile be followed at the interval asked for, and pays for it on the next poll', () => {
		const pacer = new Pacer(1000);
		assert.equal(pacer.polled(poll(0, 40, {empty: true})).governor.intervalMs, 1000);
		const next = pacer.polled(poll(1000, 40)).governor;
		assert.equal(next.intervalMs, govern(govern(undefined, 40, 1000, 0.005), 40, 1000, 0.005).intervalMs + (40 / 0.005), 'the early poll\'s cost at the budget, once');
	});
});

describe('the longest wait', () => {
	it('lets a heap growing faster than its dear poll\'s stretch be polled, at twice the wait judged at first', () => {
		// A 500 ms poll just ended; the heap grows so that the next would cost 0.02 ms more every ms of waiting.
		const pauses = [{end: 500, ms: 500}];
		const judged = (now: number) => admitted(pauses, 1000, 500 + (0.02 * now), 0.005);
		const latest = latestDue(0, 500, judged(500));
		let now = 500;
		while (now < Math.min(latest, judged(now)) && now < 10_000_000) {
			now += 1000;
		}

		assert.ok(judged(now) > now, 'unbounded, the wait would never end: each second of it asks for more');
		assert.ok(now <= latest + 1000 && latest === 2 * judged(500), `polled at ${now}, by ${latest}`);
	});

	it('never cuts a minute short: within one, admitted() bounds the wait itself', () => {
		assert.equal(latestDue(0, 10, 4000), 60_010);
		assert.equal(latestDue(0, 500, 100_000), 200_000);
	});
});

describe('a process\'s budget shared by its isolates', () => {
	it('goes where the heap is, so a leaking worker is polled about as often as an idle main thread', () => {
		const heaps = new Map([['main', 5e6], ['main/w1', 200e6]]);
		const worker = budgetShare(heaps, 'main/w1', 2);
		const main = budgetShare(heaps, 'main', 2);
		assert.ok(Math.abs(worker + main - 1) < 1e-9, 'the shares add up to the whole budget');
		assert.ok(worker > 0.85 && main >= 0.1, `${worker} ${main}`);
		// The interval a poll needs is its cost (∝ heap) over its budget: within a factor of ten of each other, not 80.
		assert.ok((200e6 / worker) / (5e6 / main) < 10);
	});

	it('splits evenly before any heap is read, and weighs an isolate not read yet as the mean of the others', () => {
		assert.equal(budgetShare(new Map(), 'main', 4), 0.25);
		const shares = ['a', 'b', 'c'].map(id => budgetShare(new Map([['a', 10e6], ['b', 30e6]]), id, 3));
		assert.ok(Math.abs(shares.reduce((total, share) => total + share, 0) - 1) < 1e-9);
		assert.ok(shares[1]! > shares[2]! && shares[2]! > shares[0]!, shares.join(' '));
	});
});
