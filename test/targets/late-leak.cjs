// A leak that begins 25 s in, beside TTL sessions (8 s) and a size-bounded LRU cache that run from the start: its
// survivors are all recent, as a bounded cache's are, until they are seen to outlive their span.
function record(index) {
	return {index, values: [index, index + 1, index + 2, index + 3, index + 4, index + 5, index + 6, index + 7]};
}

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

const lru = new Map();
setInterval(function cacheRecent() {
	for (let index = 0; index < 1000; index++) {
		const key = Math.floor(Math.random() * 1e9);
		lru.set(key, record(key));
		if (lru.size > 20_000) {
			lru.delete(lru.keys().next().value);
		}
	}
}, 100);

const kept = [];
setTimeout(() => {
	setInterval(function leakLate() {
		for (let index = 0; index < 400; index++) {
			kept.push(record(index));
		}
	}, 100);
}, 25_000);
