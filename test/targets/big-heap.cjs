// A 400 MB heap built in the first seconds, then a slow trickle: a poll (a full GC) costs ~0.4 s, so the
// governor spaces profiles far apart and only the heap's once-a-second figures move the view between them.
const kept = [];
function buildHeap() {
	for (let index = 0; index < 400_000; index++) {
		kept.push({index, values: Array.from({length: 120}, (_, value) => value + index)});
	}
}

buildHeap();
setInterval(function trickle() {
	kept.push({at: Date.now()});
}, 100);
