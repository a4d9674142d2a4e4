// Allocates until a cue file appears (its path: the first argument), then ends by itself with code 7, its event loop
// empty: for tests that end the program once leaktop has sampled it, not at a time a loaded machine may miss.
const {existsSync} = require('node:fs');

const cue = process.argv[2];
let kept = [];
const work = setInterval(function keepSome() {
	for (let index = 0; index < 10_000; index++) {
		kept.push({index});
	}

	if (kept.length > 200_000) {
		kept = [];
	}

	if (existsSync(cue)) {
		clearInterval(work);
		process.exitCode = 7;
	}
}, 50);
