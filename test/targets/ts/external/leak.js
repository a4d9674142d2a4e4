const retained = [];
function hoardEntries(count) {
    for (let index = 0; index < count; index++) {
        retained.push({ id: retained.length, payload: `entry ${index} `.repeat(4) });
    }
}
setInterval(() => {
    hoardEntries(120);
}, 20);
//# sourceMappingURL=leak.js.map