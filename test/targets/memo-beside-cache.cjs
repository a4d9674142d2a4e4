// A large flat cache built once, beside a small steady leak in a memo map that is never evicted.
const cache = [];
function fillCache() {
	for (let index = 0; index < 200_000; index++) {
		cache.push({index, name: `cached ${index}`});
	}
}

const memo = new Map();
function memoizeUser(id) {
	if (!memo.has(id)) {
		memo.set(id, {id, profile: `user ${id} `.repeat(8), roles: ['reader', 'writer']});
	}

	return memo.get(id);
}

fillCache();
let next = 0;
setInterval(() => {
	for (let index = 0; index < 60; index++) {
		memoizeUser(next++);
	}
}, 20);
