// Leak outside the JS heap: Buffers kept forever. Their backing stores are invisible to the sampler.
const kept = [];
function keepBuffer() {
	kept.push(Buffer.alloc(256 * 1024, 1));
}

setInterval(keepBuffer, 50);
