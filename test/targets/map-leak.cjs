// Leak inside a builtin: a Map that only grows. V8 attributes its backing store to `set` (native); the code to
// fix is rememberSessions, the function that calls it.
const sessions = new Map();
let next = 0;
setInterval(function rememberSessions() {
	for (let count = 0; count < 400; count++) {
		sessions.set(next, next * 2);
		next++;
	}
}, 10);
