import {formatBytes, formatPercent} from '../format.js';
import type {Pause} from '../model/pause-ledger.js';
import type {Governor} from '../model/snapshot.js';
import {admitted, govern, latestDue, reserveFor, surpriseMemoryMs, type Surprise} from './governor.js';

/** A poll as the pacer judges it; times on the sampler's clock (performance.now()). */
export type PollOutcome = {
	/** When its round trip began and ended: the target's pause. */
	readonly start: number;
	readonly end: number;
	/** A heavy operation on the same target ran during it: what it measured is that operation's pause, not a poll's. */
	readonly overlapped: boolean;
	/** The first profile, retained, held nothing (a quiet target 0.3 s after sampling began). */
	readonly empty: boolean;
	readonly retained: boolean;
	readonly heapBytes: number;
	/** The share of the target's time polls may take now, 0..1. */
	readonly budget: number;
};

/** Pauses kept beyond the last minute's, for the longer stretch of a dear poll (see admitted). */
const keptPauses = 10;
const minuteMs = 60_000;

/**
 * A single poll's forced GC outgrew a minute's budget (a heap of some 200 MB at 0.5%): no spacing can keep a
 * minute that holds one within it, only the span between two polls. Said once, so the worst minute the header
 * and the report show is not a surprise.
 */
function dearPollNotice(pollMs: number, heapBytes: number, intervalMs: number, budget: number): string {
	return `a poll now pauses the target ${Math.round(pollMs)} ms (a full GC of a ${formatBytes(heapBytes)} heap), more than its budget of ${formatPercent(budget)} of a minute: `
		+ `polls come ${Math.round(intervalMs / 1000)} s or more apart to hold ${formatPercent(budget)} over that span, but a minute that holds one is at ${formatPercent(pollMs / 60_000)} (--max-overhead sets the budget)`;
}

/**
 * When a target's next poll may go: the overhead governor's plan from each poll's cost, held to the budget as
 * measured by the ledger of recent pauses, with a reserve for polls that came out dearer than foreseen. All of
 * the pacing state of one sampler lives here, on times it is given, so it is tested as the sampler runs it.
 */
export class Pacer {
	private governor: Governor | undefined;
	private polls = 0;
	/** What an early second poll cost, at the budget: added once to a later interval. */
	private owedMs = 0;
	/** The governed polls' recent pauses, to hold the budget as measured (see admitted). */
	private pauses: Pause[] = [];
	private overlappedLast = false;
	/** The user has been told that one poll costs more than a minute's budget. */
	private toldDearPoll = false;
	/** What the next poll was foreseen to cost when it was let go, and how far recent polls outran that. */
	private foreseenMs: number | undefined;
	private surprises: Surprise[] = [];
	private last: {readonly start: number; readonly heapBytes: number; readonly cost: number} | undefined;

	constructor(private readonly requestedIntervalMs: number) {}

	/** Judges a poll: the governor's plan after it, and a notice the first time one poll outgrows a minute's budget. */
	polled(poll: PollOutcome): {readonly governor: Governor; readonly dearPoll: string | undefined} {
		const pollMs = poll.end - poll.start;
		this.overlappedLast = poll.overlapped;
		// What it measured is the heavy operation's pause, not a poll's: it may not stretch the interval.
		let governor = poll.overlapped && this.governor !== undefined ? {...this.governor, lastPollMs: pollMs} : govern(this.governor, pollMs, this.requestedIntervalMs, poll.budget);
		// A first profile with nothing in it shows the user nothing: the next comes at the interval asked for, and
		// the one after it later by as much as that early poll cost at the budget, so that no minute holds more
		// polls than its budget pays for. Not on a heap whose two polls would not fit a minute's budget: there the
		// first waits its turn.
		if (this.polls === 0 && poll.retained && poll.empty && 2 * pollMs <= poll.budget * minuteMs) {
			governor = {...governor, intervalMs: this.requestedIntervalMs, stretched: false};
			this.owedMs = pollMs / poll.budget;
		} else if (this.owedMs > 0 && !poll.overlapped) {
			// Paid on a poll whose round trip is a poll's, not a heavy operation's.
			governor = {...governor, intervalMs: governor.intervalMs + this.owedMs};
			this.owedMs = 0;
		}

		if (!poll.overlapped && this.foreseenMs !== undefined) {
			this.surprises = [...this.surprises.filter(surprise => surprise.at > poll.end - surpriseMemoryMs), {at: poll.end, ratio: pollMs / Math.max(1, this.foreseenMs)}];
		}

		let dearPoll: string | undefined;
		// Once per target, from the first governed poll on (the first pays for start-up as well).
		if (!poll.overlapped && !this.toldDearPoll && this.polls > 0 && pollMs > poll.budget * minuteMs) {
			this.toldDearPoll = true;
			dearPoll = dearPollNotice(pollMs, poll.heapBytes, governor.intervalMs, poll.budget);
		}

		this.polls++;
		this.governor = governor;
		this.last = {start: poll.start, heapBytes: poll.heapBytes, cost: Math.max(governor.pollMs, governor.lastPollMs)};
		return {governor, dearPoll};
	}

	/**
	 * The wait after the last poll judged, from `now` (when its snapshot went out): the pause enters the ledger (the
	 * first poll pays for the whole heap before anything can govern it, and is outside the budget), and the
	 * returned function says when the next poll is due, judged again as the heap read meanwhile moves it.
	 */
	wait(now: number): (heapBytes: number, budget: number, at: number) => number {
		const {governor, last} = this;
		if (governor === undefined || last === undefined) {
			throw new Error('Pacer.wait before a poll was judged');
		}

		// Kept while a stretch admitted() judges can reach them: the last minute's, and the last few (a poll dear
		// enough to be judged over a longer stretch comes after fewer, further apart).
		const inLastMinute = this.pauses.findIndex(pause => pause.end > now - minuteMs);
		const kept = this.polls > 1 ? this.pauses.slice(Math.max(0, (inLastMinute === -1 ? this.pauses.length : inLastMinute) - keptPauses)) : [];
		this.pauses = this.polls > 1 && !this.overlappedLast ? [...kept, {end: now, ms: governor.lastPollMs}] : kept;
		const planned = last.start + governor.intervalMs;
		const judged = (heapBytes: number, budget: number, at: number) => admitted(this.pauses, planned, this.foreseen(heapBytes) * reserveFor(this.surprises, at), budget);
		let latest: number | undefined;
		return (heapBytes, budget, at) => {
			// The heap read meanwhile may stretch the wait, at most so far: a heap growing faster than a dear poll's
			// stretch would otherwise hold the next poll back for ever.
			latest ??= latestDue(last.start, now, judged(heapBytes, budget, at));
			return Math.min(latest, judged(heapBytes, budget, at));
		};
	}

	/** The next poll goes now, with the heap at `heapBytes`: what it was foreseen to cost, to weigh how far it outruns that. */
	letGo(heapBytes: number): void {
		this.foreseenMs = this.foreseen(heapBytes);
	}

	/** A poll's cost follows the heap's size (its forced GC walks it): a heap that grew since the last poll makes the next one dearer. */
	private foreseen(heapBytes: number): number {
		const last = this.last!;
		return last.cost * Math.max(1, heapBytes / Math.max(1, last.heapBytes));
	}
}
