// Prints a line every 300 ms (every fourth one a warning on stderr), keeps a little of what it allocates, and
// ends with exit code 3 after 12 lines.
const kept = [];
let tick = 0;
const timer = setInterval(() => {
	tick++;
	for (let index = 0; index < 2000; index++) {
		kept.push({tick, index});
	}

	if (tick % 4 === 0) {
		console.error(`warning ${tick}: \u001B[31mred\u001B[0m text`);
	} else {
		console.log(`tick ${tick}`);
	}

	if (tick === 12) {
		clearInterval(timer);
		process.exitCode = 3;
	}
}, 300);
