// Keeps what it allocates 200 calls deep: V8 keeps the innermost 128 frames of a sampled stack. Asked for more (startSampling's
// stackDepth, Node 26), reading such a profile crashed Node 26.12: the test makes sure leaktop never does that.
const kept = [];
function descend(depth) {
	if (depth === 0) {
		for (let index = 0; index < 200; index++) {
			kept.push({index, values: [index, index + 1, index + 2]});
		}

		return;
	}

	descend(depth - 1);
}

setInterval(function keepDeep() {
	descend(200);
}, 10);
