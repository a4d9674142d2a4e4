// No leak: allocates a lot, keeps a bounded working set.
const window = [];
function churn(index) {
	window.push({index, text: `row ${index}`, list: [index, index * 2]});
	if (window.length > 5000) {
		window.splice(0, 2500);
	}

	return JSON.stringify({index, items: Array.from({length: 50}, (_, item) => item)});
}

let index = 0;
setInterval(() => {
	for (let count = 0; count < 300; count++) {
		churn(index++);
	}
}, 10);
