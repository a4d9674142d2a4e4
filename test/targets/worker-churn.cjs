// Short-lived workers: one starts every 400 ms, holds ~3 MB for a second and ends. The main thread measures how
// long each worker took to be gone after it said it was done (a debugger attached may hold it), prints the
// delays, and exits after the last.
const {Worker, isMainThread, parentPort} = require('node:worker_threads');

const total = Number(process.env.WORKERS ?? 12);
if (isMainThread) {
	const delays = [];
	let started = 0;
	const timer = setInterval(() => {
		started++;
		const worker = new Worker(__filename, {name: `short-${started}`});
		let doneAt;
		worker.on('message', () => {
			doneAt = Date.now();
		});
		worker.on('exit', () => {
			delays.push(Date.now() - (doneAt ?? Date.now()));
			if (delays.length === total) {
				process.stdout.write(`worker exit delays ms: ${JSON.stringify(delays)}\n`);
			}
		});
		if (started === total) {
			clearInterval(timer);
		}
	}, 400);
} else {
	const held = [];
	const fill = setInterval(function fillShortLived() {
		for (let count = 0; count < 2000; count++) {
			held.push({count, text: `item ${count}`});
		}
	}, 10);
	setTimeout(() => {
		clearInterval(fill);
		parentPort.postMessage('done');
		parentPort.close();
	}, 1000);
}
