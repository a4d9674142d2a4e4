import process from 'node:process';
import type {LeaktopEvent} from '../events.js';
import {formatBytes} from '../format.js';
import {judgedSites} from '../model/judged.js';
import {siteName} from '../model/location.js';
import {movedText} from '../model/analyses/call-tree-age.js';
import {createModel, targetPid, type TargetState} from '../model/target.js';
import type {TargetSource} from '../sample/session.js';
import {failedToStart, onSignals, startMetrics} from './common.js';
import {startRun} from './run.js';
import {hostPort, parseInspectAddress, resolveAddress} from '../attach/address.js';
import {answers} from '../attach/pid.js';
import {sleep} from '../sleep.js';
import type {Options} from './options.js';

/** One line on stderr, stamped: an agent's log is read later, from a journal or `kubectl logs`. */
function log(message: string): void {
	process.stderr.write(`${new Date().toISOString()} leaktop: ${message}\n`);
}

/** The sites leaking now, by key, with the words the log names them in. */
export function leakingSites(target: TargetState, cwd: string): Map<string, string> {
	return new Map(judgedSites(target, 'leak').filter(row => row.suspect).map(row => [
		row.key, `${siteName(row, cwd)}, ${formatBytes(row.leak?.liveBytes ?? row.liveBytes)} held, +${formatBytes(row.growthPerMinute)}/min${row.leak === undefined ? '' : `, ${movedText(row.leak)}`}`,
	]));
}

/**
 * What a human should hear of an event: attaching, re-attaching, the target's exit, a notice, and a site
 * that starts or stops leaking. The rest (polls, readings) is what --metrics is for.
 */
function narrate(event: LeaktopEvent, target: TargetState | undefined, previous: Map<string, string>, several: boolean): Map<string, string> {
	switch (event.type) {
		case 'attached': {
			log(event.reattached ?? `attached to ${event.info.title}${event.info.pid === undefined ? '' : ` (pid ${event.info.pid})`}`);
			return event.reattached === undefined ? previous : new Map();
		}

		case 'notice': {
			log(event.message);
			return previous;
		}

		case 'exited': {
			log(event.reason);
			return previous;
		}

		case 'output': {
			// The program's own lines go to stderr as they come (the agent spawns with its output there).
			return previous;
		}

		case 'snapshot': {
			if (target === undefined) {
				return previous;
			}

			const now = leakingSites(target, process.cwd());
			// With several targets each leak says whose it is: a worker by its name, a process by its pid.
			const where = several ? ` in ${target.info.kind === 'worker' ? target.info.title : `pid ${targetPid(target) ?? '?'} ${target.info.title}`}` : '';
			for (const [key, words] of now) {
				if (!previous.has(key)) {
					log(`leaking${where}: ${words}`);
				}
			}

			for (const [key, words] of previous) {
				if (!now.has(key)) {
					log(`no longer leaking${where}: ${words.split(',')[0]!}`);
				}
			}

			return now;
		}

		case 'gauges':
		case 'end': {
			return previous;
		}
	}
}

/**
 * A sidecar starts beside its service, often before it listens: the agent waits for the inspector to answer,
 * saying so once, rather than ending. A bad or refused address is still an error at once. False: stopped first.
 */
async function untilAnswering(source: Extract<TargetSource, {kind: 'inspect'}>, signal: AbortSignal): Promise<boolean> {
	const address = await resolveAddress(parseInspectAddress(source.address), source.allowRemote);
	if (await answers(address)) {
		return true;
	}

	log(`waiting for the inspector at ${hostPort(address.host, address.port)} to answer (the service may not be up yet); trying again every second`);
	while (!signal.aborted) {
		await sleep(1000, signal);
		if (!signal.aborted && await answers(address)) {
			log(`the inspector at ${hostPort(address.host, address.port)} answers`);
			return true;
		}
	}

	return false;
}

/**
 * `--agent`: no view, no end but a signal. Samples under the same governor, follows a target that restarts on
 * its address, serves --metrics, and logs one line per event worth a human's eye; stops the sampler on its way
 * out. For a sidecar or a systemd unit beside the service.
 */
export async function runAgent(options: Options, source: TargetSource): Promise<number> {
	const stop = new AbortController();
	onSignals(stop);
	const model = createModel();
	const metrics = await startMetrics(options, () => model.targets);
	if (metrics !== undefined) {
		log(`metrics on ${metrics.url}`);
	}

	if (source.kind === 'inspect' && !(await untilAnswering(source, stop.signal))) {
		await metrics?.close();
		return 0;
	}

	// Each target's leaking sites, as last logged: a worker's and its process's are told apart.
	const suspects = new Map<string, Map<string, string>>();
	const run = await startRun(options, source, {
		model: {name: 'model', write: event => model.apply(event)},
		readers: [{
			name: 'agent log',
			write(event) {
				suspects.set(event.targetId, narrate(event, model.target(event.targetId), suspects.get(event.targetId) ?? new Map(), model.targets.length > 1));
				if (event.type === 'exited' && model.target(event.targetId)?.info.kind === 'worker') {
					suspects.delete(event.targetId);
				}
			},
		}],
		// The agent's log tells every notice, a said one too.
		target: model.target, metrics, metric: options.metric, reattach: true,
	});
	const {session} = run;
	let fatal: unknown;
	try {
		const stopped = new Promise<void>(resolve => {
			stop.signal.addEventListener('abort', () => {
				resolve();
			}, {once: true});
		});
		await Promise.race([stopped, session.done]);
	} catch (error) {
		fatal = error;
	} finally {
		log(stop.signal.aborted ? 'stopping: the sampler is stopped in the target' : 'sampling ended');
		await run.close();
	}

	const target = model.target(session.targetId);
	const failed = await failedToStart(session, target);
	if (failed !== undefined || fatal !== undefined) {
		throw failed ?? fatal;
	}

	// A spawned program that ended on its own ends the agent with it, as a supervisor expects of a sidecar.
	return target?.status.kind === 'exited' && !stop.signal.aborted ? 3 : 0;
}
