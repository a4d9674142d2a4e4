// Allocates briefly, then exits by itself with code 7.
const kept = [];
function keepSome() {
	for (let index = 0; index < 10_000; index++) {
		kept.push({index});
	}
}

setInterval(keepSome, 50);
setTimeout(() => process.exit(7), 2500);
