import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after} from 'node:test';
import {gunzipSync} from 'node:zlib';
import type {LeaktopEvent, TargetInfo} from '../source/events.js';
import type {SamplingProfile} from '../source/model/profile.js';
import type {HeapUsage, RawSnapshot} from '../source/model/snapshot.js';

export type RecordedTrace = {
	readonly program: string;
	readonly samplingInterval: number;
	readonly snapshots: ReadonlyArray<{readonly time: number; readonly heap: HeapUsage; readonly profile: SamplingProfile}>;
};

/** A trace recorded from a real target by test/fixtures/record.ts. */
export function loadTrace(name: string): RecordedTrace {
	return JSON.parse(gunzipSync(readFileSync(new URL(`fixtures/${name}.json.gz`, import.meta.url))).toString('utf8')) as RecordedTrace;
}

/** The trace's snapshots as the sampler would have handed them to the store. */
export function rawSnapshots(trace: RecordedTrace, targetId = 't'): RawSnapshot[] {
	return trace.snapshots.map(({time, heap, profile}) => ({
		targetId,
		time,
		profile,
		heap,
		process: undefined,
		governor: {lastPollMs: 12, pollMs: 12, intervalMs: 1000, overhead: 0.012, stretched: false},
		samplingInterval: trace.samplingInterval,
		selfCpu: 0.004,
		metric: 'retained',
		since: time - 1000,
	}));
}

/** The events a session emits for a target and these snapshots: attached first, then one per snapshot. */
export function sessionEvents(info: TargetInfo, snapshots: readonly RawSnapshot[], attachedAt = snapshots[0]?.time ?? 0): LeaktopEvent[] {
	return [
		{type: 'attached', targetId: info.id, time: attachedAt, info, samplingInterval: snapshots[0]?.samplingInterval ?? 131_072},
		...snapshots.map(snapshot => ({type: 'snapshot', targetId: info.id, time: snapshot.time, snapshot}) as const),
	];
}

/** A temporary folder for a test file, removed with everything in it when the file's tests end. */
export function tempDir(prefix: string): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	after(() => {
		rmSync(dir, {recursive: true, force: true});
	});
	return dir;
}

/** `go tool pprof -top`'s rows: flat bytes and function name, heaviest first (`dir` takes pprof's own files). */
export function pprofTop(dir: string, args: readonly string[]): Array<{flat: string; name: string}> {
	const output = execFileSync('go', ['tool', 'pprof', '-top', ...args], {encoding: 'utf8', env: {...process.env, PPROF_TMPDIR: dir}, stdio: ['ignore', 'pipe', 'pipe']});
	return output.split('\n').flatMap(line => {
		const match = /^\s*(-?[\d.]+[kMG]?B)\s+[\d.]+%\s+[\d.]+%\s+-?[\d.]+[kMG]?B\s+[\d.]+%\s+(.+)$/.exec(line);
		return match === null ? [] : [{flat: match[1]!, name: match[2]!.trim()}];
	});
}
