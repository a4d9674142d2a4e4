import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {createServer, type IncomingMessage, type Server} from 'node:http';
import {join} from 'node:path';
import {describe, it} from 'node:test';
import {gunzipSync} from 'node:zlib';
import {sleep} from '../source/sleep.js';
import {pprofTop, tempDir} from './helpers.js';
import {bin, collect, freePort, target} from './run-leaktop.js';

type Ingested = {readonly name: string; readonly from: number; readonly until: number; readonly headers: IncomingMessage['headers']; readonly profile: Buffer; readonly at: number};

/**
 * Pyroscope's ingest contract, as its server implements it (pkg/ingester/pyroscope/ingest_handler.go) and its
 * Node agent uses it: POST /ingest?name=app{k=v,…}&from&until (Unix seconds), a multipart body whose `profile`
 * field is a (gzipped) pprof; 200 with an empty body, 422 for a profile it will not take. No registry here
 * carries a Pyroscope server: this one follows that contract, and rejects the first profile it sees.
 */
async function ingestServer(port: number, received: Ingested[]): Promise<Server> {
	let rejected = false;
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', async () => {
			const url = new URL(request.url!, 'http://ingest');
			if (request.method !== 'POST' || url.pathname !== '/ingest' || !/^multipart\/form-data; boundary=/.test(request.headers['content-type'] ?? '')) {
				response.writeHead(400).end('{"code":"invalid_argument","message":"not an ingest request"}');
				return;
			}

			const form = await new Response(Buffer.concat(chunks), {headers: {'content-type': request.headers['content-type']!}}).formData();
			const file = form.get('profile');
			if (!(file instanceof Blob)) {
				response.writeHead(422).end('{"code":"invalid_argument","message":"no profile field"}');
				return;
			}

			if (!rejected) {
				rejected = true;
				response.writeHead(422).end('{"code":"invalid_argument","message":"failed to parse profile: test rejection"}');
				return;
			}

			received.push({
				name: url.searchParams.get('name')!, from: Number(url.searchParams.get('from')), until: Number(url.searchParams.get('until')),
				headers: request.headers, profile: gunzipSync(Buffer.from(await file.arrayBuffer())), at: Date.now(),
			});
			response.writeHead(200).end();
		});
	});
	await new Promise<void>(resolve => {
		server.listen(port, '127.0.0.1', resolve);
	});
	return server;
}

describe('--push to Pyroscope', () => {
	it('holds profiles while the server is down (up to its queue), then sends them with auth, and go tool pprof reads them', async () => {
		const dir = tempDir('leaktop-push-');
		const port = await freePort();
		const leaktop = spawn(process.execPath, [
			bin, '--report', '--duration', '30', '--max-overhead', '2', '--push', `http://127.0.0.1:${port}`, '--push-app', 'checkout', '--push-queue', '2',
			'--', process.execPath, '--no-turbo-inlining', '--no-maglev-inlining', target('string-log'),
		], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, PYROSCOPE_AUTH_TOKEN: 's3cret', PYROSCOPE_TENANT_ID: 'team-a'}});
		const finished = collect(leaktop, 90_000);
		let stderr = '';
		leaktop.stderr!.on('data', (chunk: Buffer) => {
			stderr += chunk.toString('utf8');
		});
		const received: Ingested[] = [];
		let server: Server | undefined;
		try {
			// Down first: leaktop says so once, and keeps polling.
			const deadline = Date.now() + 30_000;
			while (!/Pyroscope at http:\/\/127\.0\.0\.1:\d+: cannot reach it .*; holding up to 2 profiles and retrying/.test(stderr)) {
				assert.ok(Date.now() < deadline, `never said the server was down:\n${stderr}`);
				await sleep(100);
			}

			await sleep(6000);
			server = await ingestServer(port, received);
			const up = Date.now();
			const run = await finished;
			assert.equal(run.code, 0, run.stderr);
			assert.match(run.stderr, /rejected a profile \(422: .*test rejection.*\); dropped it/);
			assert.match(run.stderr, /takes profiles again/);
			assert.ok(received.length >= 2, `received ${received.length} profiles`);
			// What was polled while the server was down: one rejected, the rest sent, never more than the queue held.
			const heldThrough = received.filter(entry => entry.until * 1000 < up - 1000);
			assert.ok(heldThrough.length <= 1, `${heldThrough.length} profiles from before the server came up, beyond what a queue of 2 holds after the rejection`);
			for (const entry of received) {
				assert.match(entry.name, /^checkout\{instance=[^,{}]+,target=[^,{}]*string-log\.cjs,kind=process,pid=\d+\}$/);
				assert.ok(entry.from <= entry.until && entry.until <= Math.ceil(Date.now() / 1000), `${entry.from}..${entry.until}`);
				assert.equal(entry.headers.authorization, 'Bearer s3cret');
				assert.equal(entry.headers['x-scope-orgid'], 'team-a');
			}

			const last = join(dir, 'last.pb');
			writeFileSync(last, received.at(-1)!.profile);
			const top = pprofTop(dir, ['-sample_index=space', last]);
			assert.ok(['logLine', 'repeat', '(anonymous)'].includes(top[0]?.name ?? ''), `go tool pprof's top: ${JSON.stringify(top.slice(0, 3))}`);
		} finally {
			leaktop.kill('SIGKILL');
			server?.closeAllConnections();
			server?.close();
		}
	});
});
