// The main thread only churns; one worker thread leaks about 1 MB a second. Workers are separate isolates: the
// main thread's profile never holds the worker's allocations.
const {Worker, isMainThread} = require('node:worker_threads');

if (isMainThread) {
	const window = [];
	setInterval(function churnMain() {
		for (let count = 0; count < 200; count++) {
			window.push({text: `row ${count}`, list: [count, count * 2]});
		}

		window.splice(0, Math.max(0, window.length - 2000));
	}, 10);
	new Worker(__filename, {name: 'leaky-worker'});
} else {
	const kept = [];
	setInterval(function leakInWorker() {
		for (let count = 0; count < 100; count++) {
			kept.push({id: count, values: [count, count + 1, count + 2, count + 3]});
		}
	}, 10);
}
