// leaktop's demo: a small HTTP server driven by its own client, with the memory patterns leaktop is for.
// - a slow leak: every request is remembered forever (rememberRequest, which V8 soon inlines into handleRequest)
// - a large flat cache, built once at start (buildCatalog)
// - churn: every response builds garbage that dies at once (renderPage)
// - a spike now and then: a big report held for a second, then dropped (buildQuarterlyReport)
'use strict';
const http = require('node:http');

const catalog = new Map();
function buildCatalog() {
	for (let id = 0; id < 60_000; id++) {
		catalog.set(id, {id, name: `product ${id}`, tags: ['demo', 'catalog', String(id % 97)], price: id % 1000});
	}
}

const requestLog = [];
function rememberRequest(request) {
	requestLog.push({url: request.url, at: Date.now(), headers: {...request.headers}, note: 'x'.repeat(200) + request.url});
}

function renderPage(url) {
	const items = [];
	for (let index = 0; index < 200; index++) {
		items.push({index, label: `item ${index} for ${url}`});
	}

	return JSON.stringify({url, items});
}

let heldReport = null;
function buildQuarterlyReport() {
	const rows = [];
	for (let index = 0; index < 150_000; index++) {
		rows.push({index, total: index * 3, label: `row ${index}`});
	}

	heldReport = rows;
	setTimeout(() => {
		heldReport = null;
	}, 1000);
}

buildCatalog();
const server = http.createServer(function handleRequest(request, response) {
	rememberRequest(request);
	response.setHeader('content-type', 'application/json');
	response.end(renderPage(request.url));
});

server.listen(0, '127.0.0.1', () => {
	const {port} = server.address();
	const agent = new http.Agent({keepAlive: true, maxSockets: 4});
	let counter = 0;
	const fire = () => {
		const request = http.get({host: '127.0.0.1', port, path: `/page/${counter++ % 500}`, agent}, response => {
			response.resume();
			response.on('end', () => setTimeout(fire, 5));
		});
		request.on('error', () => setTimeout(fire, 100));
	};

	for (let client = 0; client < 4; client++) {
		fire();
	}

	setInterval(buildQuarterlyReport, 15_000).unref();
	console.log(`demo server on http://127.0.0.1:${port}, driving itself`);
});
