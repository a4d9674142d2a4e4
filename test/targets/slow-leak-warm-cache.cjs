// A slow leak (~0.5 MB/s) beside a ~450 MB cache that warms up over the first 25 s and then stays as it is.
const cache = [];
const warmUntil = Date.now() + 25_000;
const warming = setInterval(function warmCache() {
	if (Date.now() >= warmUntil) {
		clearInterval(warming);
		return;
	}

	for (let index = 0; index < 7500; index++) {
		cache.push({key: cache.length, values: [index, index + 1, index + 2, index + 3, index + 4, index + 5, index + 6, index + 7]});
	}
}, 50);

const leaked = [];
setInterval(function leakSlowly() {
	for (let index = 0; index < 420; index++) {
		leaked.push({at: Date.now(), values: [index, index + 1, index + 2, index + 3, index + 4, index + 5, index + 6, index + 7]});
	}
}, 100);
