import {Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType} from 'pprof-format';
import type {ComparisonRow} from '../model/compare.js';
import {functionNameOf, type CallFrame} from '../model/identity.js';
import type {ProfileNode, SamplingProfile} from '../model/profile.js';

/**
 * Pure conversions of leaktop's data into the formats other tools read: Chrome DevTools' `.heapprofile`
 * (the sampling profile as CDP returns it) and pprof (with Datadog's layout for Node heap profiles:
 * sample types objects/count and space/bytes, 1-based lines, one location per script:line:column:name).
 */

/** DevTools' Memory panel loads a sampling heap profile saved as JSON with a `.heapprofile` ending. */
export function toHeapProfile(profile: SamplingProfile): string {
	return JSON.stringify({head: profile.head, samples: profile.samples});
}

/** Interns pprof functions and locations by call frame. */
class PprofTables {
	readonly strings = new StringTable();
	readonly functions: PprofFunction[] = [];
	readonly locations: Location[] = [];
	private readonly functionIds = new Map<string, number>();
	private readonly locationIds = new Map<string, number>();

	location(frame: Pick<CallFrame, 'functionName' | 'url' | 'lineNumber' | 'columnNumber'>): number {
		const name = functionNameOf(frame);
		const key = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}:${name}`;
		let id = this.locationIds.get(key);
		if (id !== undefined) {
			return id;
		}

		const functionKey = `${frame.url}:${frame.lineNumber}:${name}`;
		let functionId = this.functionIds.get(functionKey);
		if (functionId === undefined) {
			functionId = this.functions.length + 1;
			this.functionIds.set(functionKey, functionId);
			this.functions.push(new PprofFunction({
				id: functionId, name: this.strings.dedup(name), systemName: this.strings.dedup(name),
				filename: this.strings.dedup(frame.url), startLine: frame.lineNumber + 1,
			}));
		}

		id = this.locations.length + 1;
		this.locationIds.set(key, id);
		this.locations.push(new Location({id, line: [new Line({functionId, line: frame.lineNumber + 1, column: frame.columnNumber + 1})]}));
		return id;
	}

	profile(sampleTypes: ReadonlyArray<[string, string]>, samples: Sample[], samplingInterval: number, timeMs: number): Uint8Array {
		const valueType = ([type, unit]: [string, string]) => new ValueType({type: this.strings.dedup(type), unit: this.strings.dedup(unit)});
		return new Profile({
			sampleType: sampleTypes.map(valueType),
			sample: samples,
			location: this.locations,
			function: this.functions,
			stringTable: this.strings,
			periodType: valueType(['space', 'bytes']),
			period: samplingInterval,
			timeNanos: BigInt(Math.round(timeMs)) * 1_000_000n,
		}).encode();
	}
}

/**
 * The sampling profile as pprof: one sample per allocating call path (leaf first), valued in objects and bytes.
 * V8 gives each node's live bytes already scaled for sampling (`selfSize`); the object count is scaled alike.
 */
export function toPprof(profile: SamplingProfile, samplingInterval: number, timeMs: number): Uint8Array {
	const tables = new PprofTables();
	const sampled = new Map<number, {count: number; bytes: number}>();
	for (const sample of profile.samples) {
		const entry = sampled.get(sample.nodeId) ?? {count: 0, bytes: 0};
		entry.count++;
		entry.bytes += sample.size;
		sampled.set(sample.nodeId, entry);
	}

	const samples: Sample[] = [];
	// Iterative: stacks can be deeper than the JS call stack allows.
	const stack: Array<{node: ProfileNode; path: number[]}> = profile.head.children.map(node => ({node, path: []}));
	while (stack.length > 0) {
		const {node, path} = stack.pop()!;
		const here = [tables.location(node.callFrame), ...path];
		if (node.selfSize > 0) {
			const raw = sampled.get(node.id);
			const objects = raw === undefined || raw.bytes === 0 ? 0 : Math.round(raw.count * (node.selfSize / raw.bytes));
			samples.push(new Sample({locationId: here, value: [objects, node.selfSize]}));
		}

		for (const child of node.children) {
			stack.push({node: child, path: here});
		}
	}

	return tables.profile([['objects', 'count'], ['space', 'bytes']], samples, samplingInterval, timeMs);
}

/**
 * One side of the percentile comparison as pprof, one sample per site: `all` holds each site's mean over every
 * snapshot, `top` its mean over the heavy ones, so `go tool pprof -diff_base=all.pb.gz top.pb.gz` shows the deltas.
 */
export function comparisonPprof(rows: readonly ComparisonRow[], side: 'all' | 'top', samplingInterval: number, timeMs: number): Uint8Array {
	const tables = new PprofTables();
	const samples = rows.map(row => new Sample({
		locationId: [tables.location({functionName: row.functionName, url: row.url, lineNumber: row.line - 1, columnNumber: row.column - 1})],
		value: [Math.round(side === 'all' ? row.meanBytes : row.meanBytesTop)],
	}));
	return tables.profile([['space', 'bytes']], samples, samplingInterval, timeMs);
}
