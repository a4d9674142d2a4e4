import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import {decodeRecording, encodeRecord, magic, RecordingEncoder, RecordingError, recordingVersion} from '../source/sinks/recording-format.js';
import {buildReport} from '../source/sinks/report.js';
import {recordingEnd, replayInto} from '../source/sinks/recording-reader.js';
import type {LeaktopEvent} from '../source/events.js';
import {activeHistory, createModel} from '../source/model/target.js';
import {loadTrace, rawSnapshots, sessionEvents} from './helpers.js';

const info = {id: 't', title: '/app/server.js', url: 'file:///app/server.js', pid: 42, logPath: undefined, otherTargets: 0};

/**
 * A session's events over a recorded trace: the sampler's start in each snapshot, the heap's figures between
 * polls, a break (a sampler restart) after the third snapshot, and a clean end.
 */
function liveEvents(trace: string): LeaktopEvent[] {
	const started = rawSnapshots(loadTrace(trace));
	const restartAt = started[3]!.time - 10;
	const snapshots = started.map((snapshot, index) => ({...snapshot, samplingStartedAt: index < 3 ? started[0]!.time - 500 : restartAt}));
	const [attached, ...rest] = sessionEvents(info, snapshots, snapshots[0]!.time - 500);
	const events: LeaktopEvent[] = [attached!];
	for (const [index, event] of rest.entries()) {
		if (index === 3) {
			events.push({type: 'notice', targetId: 't', time: restartAt, message: 'sampler restarted', gap: true});
		}

		const heap = {usedSize: 1e6 * (index + 1), totalSize: 4e7};
		events.push({type: 'gauges', targetId: 't', time: event.time - 400, heap, process: undefined}, event);
	}

	events.push({type: 'end', targetId: 't', time: snapshots.at(-1)!.time + 10});
	return events;
}

function record(trace: string) {
	const events = liveEvents(trace);
	const snapshots = events.flatMap(event => (event.type === 'snapshot' ? [event.snapshot] : []));
	const encoder = new RecordingEncoder('0.0.0-test');
	const parts: Buffer[] = [];
	const ends: number[] = [];
	for (const event of events) {
		parts.push(encoder.encode(event));
		if (event.type === 'snapshot') {
			ends.push(Buffer.concat(parts).length);
		}
	}

	return {snapshots, bytes: Buffer.concat(parts), ends};
}

const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('the recording format', () => {
	it('restores every snapshot exactly, with its profile', () => {
		const {snapshots, bytes} = record('trace-memo');
		const decoded = decodeRecording(bytes);
		assert.equal(decoded.truncated, undefined);
		assert.deepEqual(decoded.header.target, asJson(info));
		const restored = decoded.events.flatMap(event => (event.type === 'snapshot' ? [event.snapshot] : []));
		assert.equal(restored.length, snapshots.length);
		assert.deepEqual(asJson(restored), asJson(snapshots));
		assert.deepEqual(decoded.events.filter(event => event.type !== 'snapshot' && event.type !== 'gauges').map(event => event.type), ['attached', 'notice', 'end']);
		assert.equal(decoded.events.filter(event => event.type === 'gauges').length, snapshots.length, 'the heap\'s figures between polls too');
	});

	it('holds several targets: a second one introduced, its events and its re-attach told apart from the first\'s', () => {
		const first = liveEvents('trace-memo');
		const worker = {...info, id: 'w', title: '[worker 1] pool', kind: 'worker' as const, parent: 't'};
		const second = sessionEvents(worker, rawSnapshots(loadTrace('trace-churn'), 'w'));
		const reattached: LeaktopEvent = {type: 'attached', targetId: 'w', time: 1e13, info: worker, samplingInterval: 131_072, reattached: 'back'};
		const events = [...first.slice(0, 4), ...second, ...first.slice(4, -1), reattached, first.at(-1)!];
		const encoder = new RecordingEncoder('0.0.0-test');
		const decoded = decodeRecording(Buffer.concat(events.map(event => encoder.encode(event))));
		assert.deepEqual(asJson(decoded.events), asJson(events));
		const model = createModel();
		replayInto(event => {
			model.apply(event);
		}, decoded);
		const count = (id: string) => events.filter(event => event.type === 'snapshot' && event.targetId === id).length;
		assert.deepEqual(model.targets.map(target => [target.info.id, target.info.kind ?? 'process', target.snapshots]), [['t', 'process', count('t')], ['w', 'worker', count('w')]]);
	});

	it('still reads a version 1 file, which held one target: one written by leaktop 0.1.0 (fixtures/memo-v1.ltrec)', () => {
		// The events that file was written from, by the format-1 encoder of commit fc83b3d^.
		const v1Info = {id: 't', title: '/work/app/server.js', url: 'file:///work/app/server.js', pid: 4242, logPath: undefined, otherTargets: 0};
		const snapshots = rawSnapshots(loadTrace('trace-memo')).slice(0, 6);
		const [attached, ...rest] = sessionEvents(v1Info, snapshots);
		const expected: LeaktopEvent[] = [
			attached!, ...rest.slice(0, 3),
			{type: 'notice', targetId: 't', time: snapshots[2]!.time + 1, message: 'sampler restarted', gap: true},
			{type: 'gauges', targetId: 't', time: snapshots[2]!.time + 2, heap: {usedSize: 5e6, totalSize: 4e7}, process: undefined},
			...rest.slice(3),
			{type: 'exited', targetId: 't', time: snapshots[5]!.time + 5, reason: 'target exited (code 0)'},
			{type: 'end', targetId: 't', time: snapshots[5]!.time + 6},
		];
		const bytes = readFileSync(new URL('fixtures/memo-v1.ltrec', import.meta.url));
		const decoded = decodeRecording(bytes);
		assert.equal(decoded.header.version, 1);
		assert.deepEqual(asJson(decoded.events), asJson(expected));
	});

	it('is compact: call frames are written once', () => {
		const {snapshots, bytes} = record('trace-memo');
		const json = Buffer.byteLength(JSON.stringify(snapshots));
		assert.ok(bytes.length * 10 < json, `${bytes.length} bytes for ${json} bytes of JSON`);
	});

	it('skips a partial last record, as a crash mid-write leaves it, keeping every complete snapshot', () => {
		const {bytes, ends} = record('trace-memo');
		const cut = bytes.subarray(0, ends.at(-1)! - 7);
		const decoded = decodeRecording(cut);
		assert.match(decoded.truncated!, /partial record|damaged/);
		assert.equal(decoded.events.filter(event => event.type === 'snapshot').length, ends.length - 1);
		const headerOnly = decodeRecording(bytes.subarray(0, ends[0]! - 1));
		assert.deepEqual(headerOnly.events.map(event => event.type), ['attached', 'gauges'], 'the header and a reading: nothing sampled');
	});

	it('refuses a damaged record in the middle, a foreign file and a newer version with clear errors', () => {
		const {bytes, ends} = record('trace-memo');
		const damaged = Buffer.from(bytes);
		damaged[ends[1]! + 20] ^= 0xFF;
		assert.throws(() => decodeRecording(damaged), (error: Error) => error instanceof RecordingError && /corrupt: the record at offset \d+ fails its checksum/.test(error.message));
		assert.throws(() => decodeRecording(Buffer.from('{"head": {}}')), /not a leaktop recording/);
		const newer = encodeRecord({type: 'header', format: 'leaktop-recording', version: recordingVersion + 1, leaktop: 'x', target: info, attachedAt: 0, samplingInterval: 1});
		assert.throws(() => decodeRecording(Buffer.concat([magic, newer])), new RegExp(`format version ${recordingVersion + 1}, newer than this leaktop reads \\(${recordingVersion}\\)`));
	});

	it('refuses a record whose checksum holds but whose shape does not, naming it', () => {
		const header = encodeRecord({type: 'header', format: 'leaktop-recording', version: recordingVersion, leaktop: 'x', target: info, attachedAt: 0, samplingInterval: 131_072});
		const bad = (record: unknown) => Buffer.concat([magic, header, encodeRecord(record as Parameters<typeof encodeRecord>[0])]);
		const offset = magic.length + header.length;
		const damaged = (error: Error) => error instanceof RecordingError && error.message.startsWith(`the recording is damaged: the record at offset ${offset} `);
		assert.throws(() => decodeRecording(bad({type: 'snapshot', time: 1, snapshot: {heap: {}}, frames: [], nodes: 'x', samples: []})), damaged);
		assert.throws(() => decodeRecording(bad({type: 'notice', time: 1})), damaged);
		assert.throws(() => decodeRecording(bad({type: 'frobnicate', time: 1})), (error: Error) => damaged(error) && /does not know \(frobnicate\)/.test(error.message));
		assert.throws(() => decodeRecording(bad({type: 'snapshot', time: 1, snapshot: {time: 1, heap: {}}, frames: [], nodes: [99, -1, 0, 1], samples: []})), (error: Error) => error instanceof RecordingError && /the snapshot at offset \d+ does not make a profile/.test(error.message));
		assert.throws(() => decodeRecording(bad([1, 2])), damaged);
	});

	it('gives the same report replayed as live from the same snapshots', () => {
		const {snapshots, bytes} = record('trace-spikes');
		const live = createModel();
		for (const event of liveEvents('trace-spikes')) {
			live.apply(event);
		}

		const decoded = decodeRecording(bytes);
		const replayed = createModel();
		replayInto(event => {
			replayed.apply(event);
		}, decoded);
		const endedAt = recordingEnd(decoded);
		assert.equal(endedAt, snapshots.at(-1)!.time + 10);
		const liveReport = buildReport(live.targets[0]!, endedAt, 90);
		assert.deepEqual(buildReport(replayed.targets[0]!, endedAt, 90), liveReport);
		assert.ok(activeHistory(replayed.targets[0]!).points().some(point => point.gap), 'the break is replayed too');
		assert.ok(liveReport.sites.some(site => site.verdict !== 'unknown'), 'survivor age judged the sites');

		// A replay that seeks back starts the target afresh and applies the events again: the same numbers.
		const events = decoded.events;
		replayed.reset('t');
		for (const event of events) {
			replayed.apply(event);
		}

		assert.deepEqual(buildReport(replayed.targets[0]!, endedAt, 90), liveReport, 'after seeking back');
	});
});
