import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {comparePoints, type Comparison} from '../model/compare.js';
import {bucketOptions} from '../model/ranking.js';
import {CliError, oneLine} from '../errors.js';
import {comparisonPprof, toHeapProfile, toPprof} from './export-formats.js';
import {activeHistory, type TargetState} from '../model/target.js';

/**
 * Writes what the user asked to keep into `dir`: the latest profile for DevTools and for pprof, and both sides
 * of the percentile comparison for `go tool pprof -diff_base`. Reports progress per file; returns the paths.
 */
export function writeExports(dir: string, target: TargetState, comparison: Comparison, progress: (message: string) => void): string[] {
	const {latest} = target;
	if (latest === undefined) {
		throw new CliError('nothing to export yet: no profile has arrived');
	}

	const files: Array<[string, () => string | Uint8Array]> = [
		['profile.heapprofile', () => toHeapProfile(latest.profile)],
		['profile.pb.gz', () => gzipSync(toPprof(latest.profile, latest.samplingInterval, latest.time))],
		['compare-all.pb.gz', () => gzipSync(comparisonPprof(comparison.rows, 'all', latest.samplingInterval, latest.time))],
		['compare-top.pb.gz', () => gzipSync(comparisonPprof(comparison.rows, 'top', latest.samplingInterval, latest.time))],
	];
	const written: string[] = [];
	try {
		mkdirSync(dir, {recursive: true});
		for (const [index, [name, build]] of files.entries()) {
			progress(`exporting ${index + 1}/${files.length}: ${name}…`);
			const path = join(dir, name);
			writeFileSync(path, build());
			written.push(path);
		}
	} catch (error) {
		if (error instanceof CliError) {
			throw error;
		}

		throw new CliError(`export to ${dir} failed after ${written.length} files: ${oneLine(error)}`);
	}

	return written;
}

/** writeExports of the target's whole history, compared at `percentile`: what a report and a trigger write. */
export function exportTarget(dir: string, target: TargetState, percentile: number, progress: (message: string) => void): string[] {
	const history = activeHistory(target);
	const points = history.points();
	return writeExports(dir, target, comparePoints(points, history.sites, percentile, 'delta', bucketOptions(history, points)), progress);
}
