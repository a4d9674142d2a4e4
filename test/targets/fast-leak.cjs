// A fast leak, about 1 GB a minute: every 10 ms, 1,500 records of ~120 bytes are kept forever.
const kept = [];
let next = 0;
setInterval(function leakFast() {
	for (let index = 0; index < 1500; index++) {
		kept.push({id: next, values: [next, next + 1, next + 2, next + 3, next + 4, next + 5, next + 6, next + 7]});
		next++;
	}
}, 10);
