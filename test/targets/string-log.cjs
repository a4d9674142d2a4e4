// Leak: a log of strings kept forever.
const log = [];
function logLine(index) {
	log.push(`${new Date().toISOString()} request ${index} handled by worker ${index % 7} with status 200 ok`.repeat(2));
}

let index = 0;
setInterval(() => {
	for (let count = 0; count < 200; count++) {
		logLine(index++);
	}
}, 20);
