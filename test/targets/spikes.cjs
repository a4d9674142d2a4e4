// No leak: churn, plus a large block every 3 s that is released 1.5 s later: long enough that polls at 1 Hz
// always see it in the retained metric (a shorter one is only certain to show in the allocated metric).
let held = null;
function buildBigReport() {
	const rows = [];
	for (let index = 0; index < 250_000; index++) {
		rows.push({index, label: `row ${index}`});
	}

	held = rows;
	setTimeout(() => {
		held = null;
	}, 1500);
}

function churn(index) {
	return JSON.stringify({index, items: Array.from({length: 50}, (_, item) => item)});
}

let index = 0;
setInterval(() => {
	for (let count = 0; count < 200; count++) {
		churn(index++);
	}
}, 10);
setInterval(buildBigReport, 3000);
