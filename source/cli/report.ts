import process from 'node:process';
import {Sources} from '../attach/script-files.js';
import {createModel, type TargetState} from '../model/target.js';
import type {TargetSource} from '../sample/session.js';
import type {Session} from '../sample/session.js';
import {exportTarget} from '../sinks/exports.js';
import type {DecodedRecording} from '../sinks/recording-format.js';
import {recordingEnd, replayInto} from '../sinks/recording-reader.js';
import {buildSessionReport} from '../sinks/report.js';
import {failedToStart, onSignals, startMetrics} from './common.js';
import {startRun} from './run.js';
import type {Options} from './options.js';
import type {Triggers} from './triggers.js';
import {originalsOf} from './resolve-sources.js';
import {sleep} from '../sleep.js';

/** Writes the exports a report was asked for, saying on stderr what it writes. */
function exportReport(dir: string, target: TargetState, percentile: number): void {
	const files = exportTarget(dir, target, percentile, message => {
		process.stderr.write(`leaktop: ${message}\n`);
	});
	process.stderr.write(`leaktop: wrote ${files.join(', ')}\n`);
}

/** The exit code of a report that found a leak, asked for with --fail-on-leak. */
export const leakFoundExitCode = 4;
/** The exit code of a --fail-on-leak report that found no leak but sampled too little to say there is none. */
export const tooLittleExitCode = 5;

/** Age's clock span a leak gate needs before "no leak" means anything: a leak that began late needs that much to show. */
export const gateMinimumMs = 30_000;

/** Why a target's survivors were too few to clear it of a leak, or undefined when they were enough. */
function tooLittle(target: TargetState): string | undefined {
	const polls = target.ageClock.polls;
	const span = polls.length < 2 ? 0 : polls.at(-1)!.time - polls[0]!.time;
	return target.metric !== 'retained' || span >= gateMinimumMs
		? undefined
		: `${Math.round(span / 1000)} s of survivors sampled (${target.snapshots} profiles)`;
}

/**
 * Prints the report of `target` on stdout, then says `aside` on stderr and writes the exports asked for.
 * Returns the exit code --fail-on-leak asks for, when it does (and says why on stderr): a leaking site, or too
 * little sampled to clear the targets of one.
 */
async function deliver(targets: readonly TargetState[], endedAt: number, options: Options, aside: string | undefined, triggers?: Triggers): Promise<number | undefined> {
	const report = buildSessionReport(targets, endedAt, options.percentile, new Map(originalsOf(targets, new Sources())));
	// What --on-heap and --on-suspect wrote, and why: a pipeline keeps those folders as artifacts.
	const document = triggers === undefined ? report : {...report, triggered: triggers.fired};
	await new Promise<void>(resolve => {
		process.stdout.write(`${JSON.stringify(document, null, 2)}\n`, () => {
			resolve();
		});
	});
	if (aside !== undefined) {
		process.stderr.write(`leaktop: ${aside}\n`);
	}

	if (options.exportDir !== undefined) {
		exportReport(options.exportDir, targets[0]!, options.percentile);
	}

	if (!options.failOnLeak) {
		return undefined;
	}

	const leaking = report.sites.filter(site => site.suspect);
	if (leaking.length > 0) {
		const named = leaking.slice(0, 3).map(site => site.name).join(', ');
		process.stderr.write(`leaktop: leaking: ${named}${leaking.length > 3 ? ` and ${leaking.length - 3} more` : ''} (--fail-on-leak: exit code ${leakFoundExitCode})\n`);
		return leakFoundExitCode;
	}

	const short = targets.filter(target => target.info.kind !== 'worker').map(tooLittle).find(why => why !== undefined);
	if (short !== undefined) {
		process.stderr.write(`leaktop: no leak found, but ${short} is too little to judge: a leak gate needs ${gateMinimumMs / 1000} s at least (--duration 60 is a good start) (--fail-on-leak: exit code ${tooLittleExitCode})\n`);
		return tooLittleExitCode;
	}

	return undefined;
}

async function sampleForReport(session: Session, options: Options, stop: AbortSignal): Promise<void> {
	const startedAt = Date.now();
	const progress = process.stderr.isTTY
		? setInterval(() => {
			process.stderr.write(`\rleaktop: sampling ${Math.round((Date.now() - startedAt) / 1000)}/${options.durationMs / 1000} s`);
		}, 1000)
		: undefined;
	try {
		await Promise.race([sleep(options.durationMs, stop), session.done]);
		if (!stop.aborted) {
			await session.finish();
		}
	} finally {
		clearInterval(progress);
		if (progress !== undefined) {
			process.stderr.write('\n');
		}
	}
}

/** `--report` on a live target: sample for the duration (or until it exits), then one JSON report. */
export async function reportLive(options: Options, source: TargetSource): Promise<number> {
	const stop = new AbortController();
	onSignals(stop);
	const model = createModel();
	const metrics = await startMetrics(options, () => model.targets);
	if (metrics !== undefined) {
		process.stderr.write(`leaktop: metrics on ${metrics.url}\n`);
	}

	const run = await startRun(options, source, {
		model: {name: 'model', write: event => model.apply(event)}, target: model.target, metrics, metric: options.metric, reattach: false,
		tell(message) {
			process.stderr.write(`leaktop: ${message}\n`);
		},
	});
	const {session, recorder, triggers} = run;
	let endedAt: number;
	try {
		await sampleForReport(session, options, stop.signal);
	} finally {
		endedAt = await run.close();
	}

	const target = model.target(session.targetId)!;
	const failed = await failedToStart(session, target);
	if (failed !== undefined) {
		throw failed;
	}

	const gate = await deliver(model.targets, endedAt, options, recorder === undefined ? undefined : `recorded ${recorder.written.snapshots} snapshots (${recorder.written.bytes} bytes) in ${recorder.path}`, triggers);
	if (gate === leakFoundExitCode) {
		return gate;
	}

	// Each process asked for (the program, every --inspect address), not the workers and children that come and go.
	for (const asked of model.targets.filter(entry => entry.info.kind !== 'worker' && entry.info.parent === undefined)) {
		const named = model.targets.length > 1 ? ` (${asked.info.title})` : '';
		if (asked.status.kind === 'exited') {
			process.stderr.write(`leaktop: ${asked.status.reason}${named} before the report's duration ended; the report holds what was sampled\n`);
			return 3;
		}

		if (asked.snapshots === 0) {
			process.stderr.write(`leaktop: no profile arrived during the report${named} (${asked.notice ?? 'the inspector did not answer in time'})\n`);
			return 3;
		}
	}

	return gate ?? 0;
}

/** `--report --replay`: the report of a recording, the same one the live session would have printed. */
export async function reportReplay(options: Options, recording: DecodedRecording): Promise<number> {
	const model = createModel();
	replayInto(event => {
		model.apply(event);
	}, recording);
	return await deliver(model.targets, recordingEnd(recording), options, recording.truncated) ?? 0;
}
