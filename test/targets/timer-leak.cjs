// A timer callback that leaks ~3 MB/s: V8 inlines it into Node's listOnTimeout once it is hot (on Node 20 after
// ~12 s, or ~3 s with --interrupt-budget=16000; --trace-turbo-inlining shows it), and from then on the sampling heap
// profiler charges its allocations to listOnTimeout. With `worker`, the leak runs in a worker thread.
const {Worker, isMainThread} = require('node:worker_threads');

if (isMainThread && process.argv[2] === 'worker') {
	new Worker(__filename, {name: 'leaky-worker'});
	setInterval(function idleMain() {}, 1000);
} else {
	const kept = [];
	setInterval(function rememberJobs() {
		for (let count = 0; count < 100; count++) {
			kept.push({id: count, values: [count, count + 1, count + 2, count + 3]});
		}
	}, 10);
}
