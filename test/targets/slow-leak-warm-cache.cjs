// A slow leak (~0.5 MB/s) beside a ~450 MB cache that warms up over the first 25 s and then stays as it is. The cache
// is filled by the clock, not by ticks: on a loaded machine ticks come late, and each one catches up.
const cache = [];
const warmMs = 25_000;
const cacheEntries = 3_750_000;
const warmFrom = Date.now();
const warming = setInterval(function warmCache() {
	const elapsed = Date.now() - warmFrom;
	const due = elapsed >= warmMs ? cacheEntries : Math.floor((cacheEntries * elapsed) / warmMs);
	for (let index = cache.length; index < due; index++) {
		cache.push({key: index, values: [index, index + 1, index + 2, index + 3, index + 4, index + 5, index + 6, index + 7]});
	}

	if (cache.length >= cacheEntries) {
		clearInterval(warming);
	}
}, 50);

const leaked = [];
setInterval(function leakSlowly() {
	for (let index = 0; index < 420; index++) {
		leaked.push({at: Date.now(), values: [index, index + 1, index + 2, index + 3, index + 4, index + 5, index + 6, index + 7]});
	}
}, 100);
