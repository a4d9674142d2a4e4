import {hostname} from 'node:os';
import {basename} from 'node:path';
import {gzipSync} from 'node:zlib';
import type {TargetInfo} from '../events.js';
import type {RawSnapshot} from '../model/snapshot.js';
import {sleep} from '../sleep.js';
import {toPprof} from './export-formats.js';

/**
 * `--push`: every retained profile, as gzipped pprof (objects and space, the export's encoding), to Grafana
 * Pyroscope's ingest API, as its Node agent sends them: `POST /ingest?name=app{labels}&from&until` (seconds),
 * multipart with the profile in a `profile` field. A bounded queue holds what a server that is down or slow has
 * not taken yet; it retries with backoff, drops the oldest when full, and says so in one line; a profile the
 * server rejects is said and dropped. Never unbounded memory, never a crash.
 */
export type PushOptions = {
	/** The server, e.g. `http://pyroscope:4040` (`/ingest` is added). */
	readonly url: string;
	/** The application name; by default each target's script name (`server` for `app/server.js`). */
	readonly application: string | undefined;
	/** Profiles held while the server does not take them; the oldest goes first when full. */
	readonly queueLimit: number;
	readonly env: NodeJS.ProcessEnv;
	/** One line for a human: the server went away or came back, or rejected a profile. */
	readonly warn: (message: string) => void;
};

type Queued = {readonly body: Buffer<ArrayBuffer>; readonly name: string; readonly from: number; readonly until: number};

/** Pyroscope splits `name` on `{ } , =`: none may appear inside an application name or a label. */
const clean = (text: string) => text.replaceAll(/[{},=]/g, '_');
const firstBackoffMs = 1000;
const maxBackoffMs = 15_000;

export class PyroscopePusher {
	readonly sent = {profiles: 0, dropped: 0, rejected: 0};
	private readonly queue: Queued[] = [];
	private readonly headers: Record<string, string> = {};
	private readonly stopped = new AbortController();
	private failing: string | undefined;
	private sending: Promise<void> | undefined;

	constructor(private readonly options: PushOptions) {
		const {env} = options;
		// The names Pyroscope's own Node agent reads, and the tenant header Grafana's gateways expect.
		if (env['PYROSCOPE_AUTH_TOKEN'] !== undefined) {
			this.headers['authorization'] = `Bearer ${env['PYROSCOPE_AUTH_TOKEN']}`;
		} else if (env['PYROSCOPE_BASIC_AUTH_USER'] !== undefined) {
			this.headers['authorization'] = `Basic ${Buffer.from(`${env['PYROSCOPE_BASIC_AUTH_USER']}:${env['PYROSCOPE_BASIC_AUTH_PASSWORD'] ?? ''}`).toString('base64')}`;
		}

		if (env['PYROSCOPE_TENANT_ID'] !== undefined) {
			this.headers['x-scope-orgid'] = env['PYROSCOPE_TENANT_ID'];
		}
	}

	/**
	 * Queues one retained profile of a target; sends at once unless the server is failing (then at its backoff).
	 * A worker thread's profile goes under its process's application, labelled kind=worker.
	 */
	push(info: TargetInfo, snapshot: RawSnapshot, process: TargetInfo = info): void {
		if (snapshot.metric !== 'retained' || this.stopped.signal.aborted) {
			return;
		}

		const pid = snapshot.process?.pid ?? info.pid;
		const labels = [['instance', hostname()], ['target', info.title], ['kind', info.kind ?? 'process'], ...(pid === undefined ? [] : [['pid', String(pid)]])];
		const application = this.options.application ?? basename(process.title).replace(/\.[cm]?[jt]s$/, '');
		const name = `${clean(application)}{${labels.map(([key, value]) => `${key}=${clean(value!)}`).join(',')}}`;
		this.queue.push({
			body: gzipSync(toPprof(snapshot.profile, snapshot.samplingInterval, snapshot.time)),
			name, from: Math.floor(snapshot.since / 1000), until: Math.ceil(snapshot.time / 1000),
		});
		if (this.queue.length > this.options.queueLimit) {
			this.queue.shift();
			this.sent.dropped++;
		}

		this.sending ??= this.drain().finally(() => {
			this.sending = undefined;
		});
	}

	/** Stops retrying; gives what is queued one last try of at most `graceMs`. */
	async close(graceMs = 3000): Promise<void> {
		const drained = this.sending ?? (this.queue.length > 0 ? this.drain() : Promise.resolve());
		await Promise.race([drained, sleep(graceMs)]);
		this.stopped.abort();
		await drained.catch(() => undefined);
	}

	private async drain(): Promise<void> {
		let backoffMs = firstBackoffMs;
		while (this.queue.length > 0 && !this.stopped.signal.aborted) {
			const next = this.queue[0]!;
			const outcome = await this.send(next);
			if (outcome === 'retry') {
				await sleep(backoffMs, this.stopped.signal);
				backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
				continue;
			}

			if (this.queue[0] === next) {
				this.queue.shift();
			}

			backoffMs = firstBackoffMs;
		}
	}

	private async send(profile: Queued): Promise<'sent' | 'rejected' | 'retry'> {
		const url = new URL('ingest', this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`);
		url.search = new URLSearchParams({name: profile.name, from: String(profile.from), until: String(profile.until), spyName: 'leaktop'}).toString();
		const form = new FormData();
		form.append('profile', new Blob([profile.body]), 'profile.pb.gz');
		let status: number;
		let text = '';
		try {
			const response = await fetch(url, {method: 'POST', body: form, headers: this.headers, signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(10_000)])});
			status = response.status;
			text = (await response.text()).trim();
		} catch (error) {
			return this.retry(`cannot reach it (${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)})`);
		}

		if (status === 429 || status >= 500) {
			return this.retry(`it answered ${status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`);
		}

		if (this.failing !== undefined) {
			this.failing = undefined;
			this.options.warn(`Pyroscope at ${this.options.url} takes profiles again${this.sent.dropped > 0 ? `; ${this.sent.dropped} dropped so far (queue of ${this.options.queueLimit})` : ''}`);
		}

		if (status >= 200 && status < 300) {
			this.sent.profiles++;
			return 'sent';
		}

		this.sent.rejected++;
		this.options.warn(`Pyroscope at ${this.options.url} rejected a profile (${status}${text === '' ? '' : `: ${text.replaceAll(/\s+/g, ' ').slice(0, 200)}`}); dropped it`);
		return 'rejected';
	}

	private retry(reason: string): 'retry' {
		if (this.failing === undefined) {
			this.options.warn(`Pyroscope at ${this.options.url}: ${reason}; holding up to ${this.options.queueLimit} profiles and retrying`);
		}

		this.failing = reason;
		return 'retry';
	}
}
