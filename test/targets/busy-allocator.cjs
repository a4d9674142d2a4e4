// A busy server's allocation rate: well over a gigabyte a second, of which it keeps only the last thousand
// objects a while, as a server keeps its requests in flight.
const recent = new Array(1000);
function burst() {
	const end = Date.now() + 20;
	while (Date.now() < end) {
		for (let index = 0; index < 1000; index++) {
			recent[index] = {index, list: new Array(256).fill(index), text: `item ${index}`};
		}
	}

	setImmediate(burst);
}

burst();
