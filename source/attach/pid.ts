import {readlinkSync} from 'node:fs';
import {basename} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import type {InspectorAddress} from './address.js';
import {discoverTarget} from './discovery.js';
import {CliError} from '../errors.js';

/** Where SIGUSR1 opens Node's inspector (unless the process was started with --inspect-port). */
export const defaultInspectorAddress: InspectorAddress = {kind: 'http', host: '127.0.0.1', port: 9229};

/** The executable a process runs (its title can say anything: process.title rewrites the command line). */
function executableOf(pid: number): string | undefined {
	try {
		return readlinkSync(`/proc/${pid}/exe`);
	} catch {
		// Not Linux, or not ours to read: the signal below is the test.
		return undefined;
	}
}

export async function answers(address: InspectorAddress): Promise<boolean> {
	return discoverTarget(address, 500).then(() => true, () => false);
}

/** Says plainly, before anything else, when `--pid` names no process, one not ours to signal, or one that is not Node. */
export function checkNodeProcess(pid: number): void {
	try {
		process.kill(pid, 0);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new CliError(code === 'EPERM'
			? `--pid ${pid}: permission denied; run leaktop as the user who owns the process (or root)`
			: `--pid ${pid}: no such process`);
	}

	const executable = executableOf(pid);
	if (executable !== undefined && !/node/i.test(basename(executable))) {
		throw new CliError(`--pid ${pid}: process ${pid} runs ${executable}, not Node`);
	}
}

/**
 * Opens the inspector of a running Node process started without --inspect, as `node inspect -p` does: SIGUSR1
 * makes Node listen on 127.0.0.1:9229 for the rest of the process's life. Checks first what can be checked.
 */
export async function activateInspector(pid: number, timeoutMs = 5000): Promise<InspectorAddress> {
	checkNodeProcess(pid);

	const busy = await answers(defaultInspectorAddress);
	process.kill(pid, 'SIGUSR1');
	if (busy) {
		// Either this process opened it before (a second leaktop), or another one holds the port: the pid check
		// after attaching tells them apart.
		return defaultInspectorAddress;
	}

	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await answers(defaultInspectorAddress)) {
			return defaultInspectorAddress;
		}

		await sleep(100);
	}

	throw new CliError(`--pid ${pid}: the process did not open an inspector on 127.0.0.1:9229 within ${timeoutMs / 1000} s (started with --disable-sigusr1, or the port is taken?)`);
}
