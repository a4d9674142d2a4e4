// Leak: an HTTP server that records every request it serves; its own client keeps it busy.
const http = require('node:http');
const seen = [];
function recordRequest(request) {
	seen.push({url: request.url, method: request.method, headers: {...request.headers}, at: Date.now()});
}

const server = http.createServer((request, response) => {
	recordRequest(request);
	response.end('ok');
});
server.listen(0, '127.0.0.1', () => {
	const agent = new http.Agent({keepAlive: true, maxSockets: 4});
	const fire = () => {
		http.get({host: '127.0.0.1', port: server.address().port, path: `/item/${Math.random()}`, agent}, response => {
			response.resume();
			response.on('end', fire);
		}).on('error', () => setTimeout(fire, 50));
	};

	for (let client = 0; client < 4; client++) {
		fire();
	}
});
