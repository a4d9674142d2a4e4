// A busy server's allocation rate with nothing kept: well over a gigabyte a second of short-lived objects.
let kept;
function burst() {
	const end = Date.now() + 20;
	while (Date.now() < end) {
		for (let index = 0; index < 1000; index++) {
			kept = {index, list: new Array(256).fill(index), text: `item ${index}`};
		}
	}

	setImmediate(burst);
}

burst();
