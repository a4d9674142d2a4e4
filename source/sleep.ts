import {setTimeout} from 'node:timers/promises';

/** Waits `ms`, or less when `signal` aborts first; never rejects, so an abort needs no catch. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	await setTimeout(ms, undefined, {signal}).catch(() => undefined);
}
