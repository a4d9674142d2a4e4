import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {collectDefaultMetrics, Counter, Gauge, Registry} from 'prom-client';
import {judgedSites} from '../model/judged.js';
import {siteWhere} from '../model/location.js';
import {rowFrame} from '../model/call-paths.js';
import {lastMinute} from '../model/pause-share.js';
import type {SiteRow} from '../model/ranking.js';
import {targetPid, type TargetState} from '../model/target.js';

/**
 * `--metrics`: the model's figures in the Prometheus text format, read from the model at each scrape (nothing
 * is kept between scrapes). Labels say which target and which site; instance and pod are the scrape config's.
 * `process_*` and `nodejs_*` describe leaktop itself.
 */
export type MetricsOptions = {
	readonly host: string;
	readonly port: number;
	/** The top sites by leak ranking, each with its own series: bounded, so a scrape stays small. */
	readonly topSites: number;
	/** The working directory, against which locations are shown as they are in the TUI. */
	readonly cwd: string;
};

export type MetricsServer = {
	/** Where it listens, as a URL to give a scrape config. */
	readonly url: string;
	close(): Promise<void>;
};

type Scrape = {readonly target: TargetState; readonly label: string; readonly rows: readonly SiteRow[]};

/**
 * The `target` label: the script, a worker after its process's (`app.js [worker 1] pool`), and the pid where
 * two processes run the same script (cluster workers), so that no two targets share a series.
 */
function targetLabel(target: TargetState, all: readonly TargetState[]): string {
	const processOf = (entry: TargetState) => all.find(other => other.info.id === entry.info.parent) ?? entry;
	const base = (entry: TargetState) => (entry.info.kind === 'worker' ? `${processOf(entry).info.title} ${entry.info.title}` : entry.info.title);
	const label = base(target);
	const pid = targetPid(target);
	const shared = all.some(other => other !== target && base(other) === label);
	return shared && pid !== undefined ? `${label} (pid ${pid})` : label;
}

export function registryFor(read: () => readonly TargetState[], options: MetricsOptions): Registry {
	const registry = new Registry();
	collectDefaultMetrics({register: registry});
	// Every gauge reads the same scrape: the sites are ranked once per scrape, not once per gauge.
	let scrape: {readonly at: number; readonly targets: readonly Scrape[]} | undefined;
	const current = (): readonly Scrape[] => {
		const now = Date.now();
		if (scrape === undefined || now - scrape.at > 500) {
			// Sites are judged on retained bytes only: while the user measures allocations, they have no series.
			const targets = read();
			scrape = {at: now, targets: targets.map(target => ({target, label: targetLabel(target, targets), rows: target.metric === 'retained' ? judgedSites(target, 'leak') : []}))};
		}

		return scrape.targets;
	};

	const eachTarget = (value: (entry: Scrape) => number | undefined, record: (labels: {target: string}, figure: number) => void) => {
		for (const entry of current()) {
			const figure = value(entry);
			if (figure !== undefined && Number.isFinite(figure)) {
				record({target: entry.label}, figure);
			}
		}
	};

	const perTarget = (name: string, help: string, value: (entry: Scrape) => number | undefined) => new Gauge({
		name, help, labelNames: ['target'], registers: [registry],
		collect() {
			this.reset();
			eachTarget(value, (labels, figure) => this.set(labels, figure));
		},
	});
	// A running total read from the model: rate() over any window is then the scrape config's choice.
	const perTargetTotal = (name: string, help: string, value: (entry: Scrape) => number | undefined) => new Counter({
		name, help, labelNames: ['target'], registers: [registry],
		collect() {
			this.reset();
			eachTarget(value, (labels, figure) => this.inc(labels, figure));
		},
	});
	const perSite = (name: string, help: string, value: (row: SiteRow) => number) => new Gauge({
		name, help, labelNames: ['target', 'function', 'location'], registers: [registry],
		collect() {
			this.reset();
			for (const entry of current()) {
				// Two sites can share a label set (two functions on one line of a bundle): their figures add up.
				const series = new Map<string, {labels: {target: string; function: string; location: string}; value: number}>();
				for (const row of entry.rows.slice(0, options.topSites)) {
					// The frame as the table shows it, for every row alike: a label that changed with the verdict would start a new series.
					const labels = {target: entry.label, function: row.functionName, location: siteWhere({...row, frame: rowFrame(entry.target.latest?.profile, row)}, options.cwd)};
					const key = `${labels.function}\u0000${labels.location}`;
					const known = series.get(key);
					series.set(key, {labels, value: (known?.value ?? 0) + value(row)});
				}

				for (const {labels, value: figure} of series.values()) {
					this.set(labels, figure);
				}
			}
		},
	});

	perTarget('leaktop_target_up', '1 while leaktop samples the target, 0 once it exited or the connection dropped.', ({target}) => (target.status.kind === 'sampling' ? 1 : 0));
	perTarget('leaktop_heap_used_bytes', 'The target\'s V8 heap in use, read once a second.', ({target}) => target.live?.heap.usedSize);
	perTarget('leaktop_heap_total_bytes', 'The target\'s V8 heap reserved, read once a second.', ({target}) => target.live?.heap.totalSize);
	perTarget('leaktop_rss_bytes', 'The target\'s resident set size (absent with --no-eval).', ({target}) => target.live?.process?.memory.rss);
	perTarget('leaktop_sampled_retained_bytes', 'Bytes the sampled allocation sites hold, at the latest profile.', ({target}) => (target.metric === 'retained' ? target.latestAggregates.site?.totalBytes : undefined));
	perTarget('leaktop_poll_pause_ratio', 'Share of the last minute the target spent paused in leaktop\'s polls (each a full GC).', ({target}) => (target.pauses === undefined || target.live === undefined ? undefined : lastMinute(target.pauses, target.live.time)));
	perTargetTotal('leaktop_poll_pause_seconds_total', 'Time the target spent paused in leaktop\'s polls since attaching, the first poll included.', ({target}) => target.pollMsTotal / 1000);
	perTargetTotal('leaktop_polls_total', 'Profiles leaktop took of the target since attaching.', ({target}) => target.snapshots);
	perTarget('leaktop_leak_suspects', 'Allocation sites judged to be leaking now.', ({rows}) => rows.filter(row => row.suspect).length);
	perSite('leaktop_site_retained_bytes', 'Bytes an allocation site\'s live objects hold, at the latest profile (top sites by leak ranking).', row => row.liveBytes);
	perSite('leaktop_site_growth_bytes_per_minute', 'An allocation site\'s growth in bytes a minute, as the table shows it: a leaking site\'s, else its window\'s growth while it has too few samples for survivor age, else 0.', row => row.growthPerMinute);
	perSite('leaktop_site_suspect', '1 when the allocation site is judged to be leaking.', row => (row.suspect ? 1 : 0));
	return registry;
}

/** Serves `/metrics` on `host:port` (port 0: any free one) until closed. */
export async function serveMetrics(read: () => readonly TargetState[], options: MetricsOptions): Promise<MetricsServer> {
	const registry = registryFor(read, options);
	const server: Server = createServer((request, response) => {
		if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
			response.writeHead(404, {'content-type': 'text/plain'}).end('leaktop serves /metrics\n');
			return;
		}

		registry.metrics().then(text => {
			response.writeHead(200, {'content-type': registry.contentType}).end(text);
		}, (error: unknown) => {
			response.writeHead(500, {'content-type': 'text/plain'}).end(`${String(error)}\n`);
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port, options.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {address, port} = server.address() as AddressInfo;
	return {
		url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`,
		async close() {
			server.closeAllConnections();
			await new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
		},
	};
}
