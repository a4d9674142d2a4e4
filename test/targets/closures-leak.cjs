// Leak: every tick adds a listener whose closure holds a fresh payload; nobody removes them.
const {EventEmitter} = require('node:events');
const bus = new EventEmitter();
bus.setMaxListeners(0);
function subscribeForever(tick) {
	const payload = new Array(200).fill(tick);
	bus.on('update', () => payload.length);
}

const garbage = () => JSON.stringify({list: Array.from({length: 100}, (_, index) => index)});
let tick = 0;
setInterval(() => {
	for (let index = 0; index < 40; index++) {
		subscribeForever(tick++);
		garbage();
	}
}, 20);
