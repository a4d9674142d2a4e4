// A cluster primary with two workers: the first leaks about 3 MB a second, the second only churns.
const cluster = require('node:cluster');

if (cluster.isPrimary) {
	cluster.fork();
	cluster.fork();
} else if (cluster.worker.id === 1) {
	const kept = [];
	setInterval(function leakInClusterWorker() {
		for (let count = 0; count < 250; count++) {
			kept.push({id: count, values: [count, count + 1, count + 2]});
		}
	}, 10);
} else {
	let window = [];
	setInterval(function churnInClusterWorker() {
		window = Array.from({length: 500}, (_, index) => ({index, text: `row ${index}`}));
	}, 10);
}
