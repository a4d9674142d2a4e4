// Five sites that hold memory without leaking: a size-bounded LRU cache, sessions swept after a TTL, a cache
// filled once 2 s after start, a spike held for 2.5 s of every 4, and pure churn.
function record(index) {
	return {index, values: [index, index + 1, index + 2, index + 3, index + 4, index + 5, index + 6, index + 7]};
}

const lru = new Map();
const lruLimit = 60_000;
setInterval(function cacheRecent() {
	for (let index = 0; index < 3000; index++) {
		const key = Math.floor(Math.random() * 1e9);
		lru.set(key, record(key));
		if (lru.size > lruLimit) {
			lru.delete(lru.keys().next().value);
		}
	}
}, 100);

const sessions = new Map();
let sessionId = 0;
setInterval(function openSessions() {
	const now = Date.now();
	for (let index = 0; index < 800; index++) {
		sessions.set(sessionId++, {created: now, data: record(index)});
	}

	for (const [id, session] of sessions) {
		if (now - session.created < 8000) {
			break;
		}

		sessions.delete(id);
	}
}, 100);

const catalog = [];
setTimeout(function buildCatalogOnce() {
	for (let index = 0; index < 300_000; index++) {
		catalog.push(record(index));
	}
}, 2000);

let spike;
setInterval(function holdSpike() {
	spike = [];
	for (let index = 0; index < 100_000; index++) {
		spike.push(record(index));
	}

	setTimeout(() => {
		spike = undefined;
	}, 2500);
}, 4000);

let sink = 0;
setInterval(function churn() {
	for (let index = 0; index < 20_000; index++) {
		sink += record(index).values.length;
	}
}, 50);
