// The argument buffer in wasm memory (one per OrderFlow), through which every text argument
// reaches the engine.
// Text arguments go to the engine as UTF-8 written straight into one reusable buffer in wasm
// memory (TextEncoder.encodeInto also replaces lone surrogates by U+FFFD); the engine gets the
// buffer and the byte length of each argument. Always called inside Engine.call with its module.
export class Scratch {
  constructor(engine) {
    this.ptr = 0;
    this.cap = 0;
    this.lengths = new Uint32Array(8);
    this.encoder = new TextEncoder();
    this.engine = engine;
    engine.onReplace.push(() => {
      this.ptr = 0;
      this.cap = 0;
    }); // that memory is gone
  }

  write(m, parts) {
    let need = 16;
    for (let i = 0; i < parts.length; i++) need += parts[i].length * 3;
    if (need > this.cap) {
      this.release(m);
      const cap = Math.max(need, this.cap * 2, 4096);
      const ptr = m._malloc(cap);
      if (!ptr) throw new RangeError('orderflow: out of memory for the arguments');
      this.ptr = ptr;
      this.cap = cap;
    }
    const heap = m.HEAPU8;
    const end = this.ptr + this.cap;
    let at = this.ptr;
    for (let i = 0; i < parts.length; i++) {
      const written = this.encoder.encodeInto(parts[i], heap.subarray(at, end)).written;
      this.lengths[i] = written;
      at += written;
    }
    return this.lengths;
  }

  // After a large call, give the buffer back so one huge argument does not pin it.
  done(m) {
    if (this.cap > 1 << 20) this.release(m);
  }

  release(m) {
    if (this.ptr) m._free(this.ptr);
    this.ptr = 0;
    this.cap = 0;
  }
}
