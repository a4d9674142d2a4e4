// No leak: churn, plus a large block every 3 s that is released half a second later.
let held = null;
function buildBigReport() {
	const rows = [];
	for (let index = 0; index < 250_000; index++) {
		rows.push({index, label: `row ${index}`});
	}

	held = rows;
	setTimeout(() => {
		held = null;
	}, 500);
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
