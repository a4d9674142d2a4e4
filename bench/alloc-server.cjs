// The benchmark's target: an HTTP server that allocates per request (a parsed body, a rendered page) and holds
// a live heap of HEAP_MB megabytes, so that polls pay the full GC a real service of that size would.
// GET /stats answers (and resets) what the server measured of itself: GC time and event-loop delay.
'use strict';
const http = require('node:http');
const {monitorEventLoopDelay, PerformanceObserver, performance} = require('node:perf_hooks');

const retained = [];
const heapMb = Number(process.env.HEAP_MB ?? 20);
for (let index = 0; process.memoryUsage().heapUsed < heapMb * 1e6; index++) {
	retained.push(Array.from({length: 1000}, (_, item) => ({item, label: `r${index}:${item}`})));
}

let gcMs = 0;
new PerformanceObserver(list => {
	for (const entry of list.getEntries()) {
		gcMs += entry.duration;
	}
}).observe({entryTypes: ['gc']});
const loop = monitorEventLoopDelay({resolution: 10});
loop.enable();
let since = performance.now();

// A bounded cache of recent pages, as services keep: some of what each request allocates stays alive a while.
const recent = [];
function remember(page) {
	recent.push(page);
	if (recent.length > 2000) {
		recent.splice(0, 1000);
	}
}

function render(url) {
	const items = [];
	for (let index = 0; index < 60; index++) {
		items.push({index, label: `item ${index} of ${url}`, tags: ['a', 'b', String(index)]});
	}

	return JSON.stringify({url, items});
}

const server = http.createServer((request, response) => {
	if (request.url === '/stats') {
		const now = performance.now();
		response.end(JSON.stringify({retainedChunks: retained.length, recent: recent.length, gcMs, wallMs: now - since, maxDelayMs: loop.max / 1e6, p99DelayMs: loop.percentile(99) / 1e6, heapUsed: process.memoryUsage().heapUsed}));
		gcMs = 0;
		since = now;
		loop.reset();
		return;
	}

	response.setHeader('content-type', 'application/json');
	const page = render(request.url);
	remember(page);
	response.end(page);
});
server.listen(0, '127.0.0.1', () => {
	process.stdout.write(`listening ${server.address().port}\n`);
});
