// A leak in TypeScript, compiled with source maps: leaktop must point at this file, not at the JavaScript.
type Entry = {id: number; payload: string};
const retained: Entry[] = [];

function hoardEntries(count: number): void {
	for (let index = 0; index < count; index++) {
		retained.push({id: retained.length, payload: `entry ${index} `.repeat(4)});
	}
}

setInterval(() => {
	hoardEntries(120);
}, 20);
