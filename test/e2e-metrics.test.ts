import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, it} from 'node:test';
import {sleep} from '../source/sleep.js';
import {tempDir} from './helpers.js';
import {bin, collect, freePort, target} from './run-leaktop.js';

/** Waits for a line matching `pattern` on a child's stderr; the match, or a failure with what it said. */
async function stderrMatch(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
	let seen = '';
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`never said ${pattern}: ${seen}`)), timeoutMs);
		child.stderr!.on('data', (chunk: Buffer) => {
			seen += chunk.toString('utf8');
			const match = pattern.exec(seen);
			if (match !== null) {
				clearTimeout(timer);
				resolve(match);
			}
		});
	});
}

type QueryResult = {status: string; data: {result: Array<{metric: Record<string, string>; value: [number, string]}>}};

async function query(prometheus: string, expression: string): Promise<QueryResult['data']['result']> {
	const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expression)}`);
	const body = await response.json() as QueryResult;
	assert.equal(body.status, 'success');
	return body.data.result;
}

/** Polls a query until it returns a series, for up to `timeoutMs`: Prometheus scrapes once a second here. */
async function eventually(prometheus: string, expression: string, timeoutMs: number): Promise<QueryResult['data']['result']> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const result = await query(prometheus, expression);
			if (result.length > 0) {
				return result;
			}
		} catch (error) {
			// Prometheus is still starting.
			last = error;
		}

		await sleep(500);
	}

	assert.fail(`Prometheus never returned ${expression} (${String(last ?? 'an empty result')})`);
}

describe('--metrics, scraped by a real Prometheus', () => {
	it('names the leaking site and the heap of the target it samples', async () => {
		const dir = tempDir('leaktop-prometheus-');
		const leaktop = spawn(process.execPath, [bin, '--report', '--duration', '300', '--metrics', '127.0.0.1:0', '--', process.execPath, target('fast-leak')], {stdio: ['ignore', 'pipe', 'pipe']});
		const finished = collect(leaktop, 400_000);
		let prometheus: ChildProcess | undefined;
		try {
			const [, metricsPort] = await stderrMatch(leaktop, /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/, 30_000);
			const webPort = await freePort();
			writeFileSync(join(dir, 'prometheus.yml'), [
				'global: {scrape_interval: 1s, scrape_timeout: 900ms}',
				'scrape_configs:',
				'  - job_name: leaktop',
				`    static_configs: [{targets: ['127.0.0.1:${metricsPort}']}]`,
			].join('\n'));
			prometheus = spawn('prometheus', [
				`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`,
			], {stdio: ['ignore', 'ignore', 'pipe']});
			const api = `http://127.0.0.1:${webPort}`;
			const suspects = await eventually(api, 'leaktop_site_suspect{function="leakFast"} == 1', 90_000);
			assert.match(suspects[0]!.metric['location']!, /fast-leak\.cjs:\d+$/);
			assert.match(suspects[0]!.metric['target']!, /fast-leak\.cjs/);
			const [heap] = await eventually(api, 'leaktop_heap_used_bytes', 30_000);
			assert.ok(Number(heap!.value[1]) > 1e6, `heap used: ${heap!.value[1]}`);
			assert.equal(heap!.metric['job'], 'leaktop', 'instance and job come from the scrape config');
			const [count] = await eventually(api, 'leaktop_leak_suspects', 30_000);
			assert.ok(Number(count!.value[1]) >= 1);
			// Counters, so that rate() gives the pause share over whatever window the user's rules choose.
			await eventually(api, 'leaktop_polls_total >= 2', 60_000);
			const [paused] = await eventually(api, 'leaktop_poll_pause_seconds_total > 0', 30_000);
			assert.ok(Number(paused!.value[1]) < 60, `paused ${paused!.value[1]} s`);
			const metadata = await (await fetch(`${api}/api/v1/metadata?metric=leaktop_poll_pause_seconds_total`)).json() as {data: Record<string, Array<{type: string}>>};
			assert.equal(metadata.data['leaktop_poll_pause_seconds_total']?.[0]?.type, 'counter');
		} finally {
			prometheus?.kill('SIGTERM');
			leaktop.kill('SIGINT');
		}

		const run = await finished;
		assert.equal(run.code, 0, run.stderr);
		if (prometheus !== undefined && prometheus.exitCode === null) {
			await new Promise(resolve => {
				prometheus!.once('exit', resolve);
			});
		}
	});
});
