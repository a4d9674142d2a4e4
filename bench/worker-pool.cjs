// A steady service with WORKERS worker threads: every isolate keeps ~20 MB of sessions it renews and churns
// requests, so each costs leaktop what a real pool's worker would.
const {Worker, isMainThread} = require('node:worker_threads');

const sessions = new Map();
let next = 0;
setInterval(function serve() {
	for (let count = 0; count < 200; count++) {
		next++;
		sessions.set(next % 40_000, {id: next, user: `user-${next}`, items: [next, next + 1, next + 2]});
		JSON.stringify({id: next, body: 'x'.repeat(64)});
	}
}, 10);

if (isMainThread) {
	for (let index = 0; index < Number(process.env.WORKERS ?? 0); index++) {
		new Worker(__filename, {name: `pool-${index + 1}`});
	}
}
