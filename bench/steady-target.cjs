// The overhead bench's target: a steady, in-process workload (no load generator to share the cores with) that
// reports its completed work every 50 ms over IPC, so the bench can compare adjacent slices with and without a
// cost. Each unit of work is what a service's request does: parse a body, render a page, keep it a while.
// MODE=saturate works flat out; MODE=idle does nothing but report; MODE=rate:<n> serves n units a second on a fixed schedule and reports each
// unit's latency (from when it was due to when it was done). The peer profiler (@datadog/pprof, the in-process
// heap profiler of Datadog's and Pyroscope's Node agents) is switched on and off by messages from the bench.
'use strict';
const {performance} = require('node:perf_hooks');

const heapMb = Number(process.env.HEAP_MB ?? 50);
const retained = [];
for (let index = 0; process.memoryUsage().heapUsed < heapMb * 1e6; index++) {
	retained.push(Array.from({length: 1000}, (_, item) => ({item, label: `r${index}:${item}`})));
}

const recent = [];
function handle(id) {
	const body = JSON.parse(`{"id":${id},"user":"u${id % 977}","items":[1,2,3,4,5,6,7,8]}`);
	const items = [];
	for (let index = 0; index < 40; index++) {
		items.push({index, label: `item ${index} of ${body.user}`, tags: ['a', 'b', String(index)]});
	}

	const page = JSON.stringify({id: body.id, items});
	recent.push(page);
	if (recent.length > 2000) {
		recent.splice(0, 1000);
	}
}

const mode = process.env.MODE ?? 'saturate';
const ratePerSecond = mode.startsWith('rate:') ? Number(mode.slice(5)) : 0;
let done = 0;
let latencies = [];
let nextDue = performance.now();

function saturate() {
	const end = performance.now() + 5;
	while (performance.now() < end) {
		handle(done++);
	}

	setImmediate(saturate);
}

function serve() {
	let now = performance.now();
	while (nextDue <= now) {
		handle(done++);
		now = performance.now();
		latencies.push(now - nextDue);
		nextDue += 1000 / ratePerSecond;
	}

	const wait = nextDue - now;
	if (wait > 1) {
		setTimeout(serve, wait - 0.5);
	} else {
		setImmediate(serve);
	}
}

setInterval(() => {
	const cpu = process.cpuUsage();
	process.send({type: 'tick', time: Number(process.hrtime.bigint()) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000, done, latencies});
	latencies = [];
}, 50);

let peer;
process.on('message', message => {
	peer ??= message.type.startsWith('peer') ? require('@datadog/pprof').heap : undefined;
	if (message.type === 'peer-start') {
		peer.start(message.interval, 64);
	} else if (message.type === 'peer-stop') {
		peer.stop();
	} else if (message.type === 'peer-profile') {
		// What the agent does in the target each period before it uploads: collect the profile and encode it.
		peer.profile().encode();
	}

	process.send({type: 'done', of: message.type});
});

if (ratePerSecond > 0) {
	nextDue = performance.now();
	serve();
} else if (mode === 'saturate') {
	saturate();
}

process.send({type: 'ready', heapUsed: process.memoryUsage().heapUsed});
