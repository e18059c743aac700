// The orderflow JS facade: plain objects in and out, no .delete(), errors as values. This file:
// OrderFlow (loading workflows) and the module factory; the Workflow class is workflow.js.
//
// Shared by the Node entry (index.node.js) and the browser entry (index.browser.js), which only
// differ in how they obtain the WebAssembly bytes. No workflow rule lives here: every status,
// transition, role rule and message comes from the engine (core/) and the workflow document.

import { OrderflowError, deepFreeze, describe, toJson, requireString } from './args.js';
import { Columns } from './columns.js';
import { Engine, DEFAULT_MEMORY_BUDGET } from './engine.js';
import { Scratch } from './scratch.js';
import { Workflow } from './workflow.js';

export { OrderflowError } from './args.js';

// ---- OrderFlow ---------------------------------------------------------------------------------

const BUILTIN_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** A loaded engine: the built-in workflow ids and a way to load workflows. */
export class OrderFlow {
  #engine;
  #builtins = new Map();
  #errorCodes = null;

  constructor(module, restart = null, memoryBudget = DEFAULT_MEMORY_BUDGET) {
    const engine = new Engine(
      module,
      restart ??
        (() => {
          throw new Error('no way to restart');
        }),
      memoryBudget,
    );
    this.#engine = engine;
    this.workflows = Object.freeze(JSON.parse(module.builtinIds()));
    Object.defineProperty(this, '_columns', { value: new Columns(), enumerable: false });
    Object.defineProperty(this, '_scratch', { value: new Scratch(engine), enumerable: false });
    Object.defineProperty(this, '_engine', { value: engine, enumerable: false }); // for fault tests
  }

  /** A built-in workflow by id, a workflow document (object), or a workflow's JSON text. */
  workflow(source) {
    if (source instanceof Workflow) return source;
    if (typeof source === 'string') {
      if (BUILTIN_ID.test(source)) return this.#builtin(source);
      return this.loadText(source);
    }
    if (source !== null && typeof source === 'object') return this.loadText(toJson(source, 'workflow(source)', 'workflow', true));
    throw new TypeError(
      `orderflow: workflow(source): source must be a built-in id, a workflow object or JSON text, got ${describe(source)}`,
    );
  }

  /** Loads a workflow from JSON text exactly as given (never read as a built-in id). */
  loadText(text) {
    const t = requireString(text, 'loadText(text)', 'text');
    const cell = { engine: this.#engine, handle: 0, generation: 0, bytes: 0, disposed: false, source: t };
    return new Workflow(this, this.#engine, this._reload(cell), cell);
  }

  // Loads cell.source (JSON text; null: the built-in cell.id) into the engine's current instance,
  // within the memory budget; returns the loader's answer. Also how a workflow comes back after
  // the instance was replaced.
  _reload(cell) {
    const engine = this.#engine;
    const io = this._scratch;
    const custom = cell.source !== null;
    if (custom && engine.used >= engine.budget) engine.reserve(1); // throws: already at the budget
    const { text, bytes } = engine.call((m) => {
      if (!custom) return { text: m.loadBuiltin(cell.id), bytes: 0 };
      const len = io.write(m, [cell.source]);
      const before = m.heapUsed();
      const answer = m.loadText(io.ptr, len[0]);
      const after = m.heapUsed();
      io.done(m);
      return { text: answer, bytes: Math.max(0, after - before) };
    });
    const loaded = JSON.parse(text);
    if (loaded.problems) {
      throw new OrderflowError(
        loaded.error,
        loaded.problems.map((p) => Object.freeze(p)),
      );
    }
    if (custom) {
      try {
        engine.reserve(bytes);
      } catch (e) {
        engine.call((m) => m.release(loaded.handle));
        throw e;
      }
    }
    cell.handle = loaded.handle;
    cell.generation = engine.generation;
    cell.bytes = bytes;
    return loaded;
  }

  #builtin(id) {
    let workflow = this.#builtins.get(id);
    if (!workflow) {
      const cell = { engine: this.#engine, handle: 0, generation: 0, bytes: 0, disposed: false, source: null, id };
      workflow = new Workflow(this, this.#engine, this._reload(cell), cell);
      this.#builtins.set(id, workflow);
    }
    return workflow;
  }

  /**
   * Every error code the engine itself answers (a workflow's guards add their own), in check's
   * order: `[{code, permission, message}]`; `permission`: a refusal about who asks, not the order
   * (the REST APIs' 403); `message`: what it means in plain words.
   */
  get errorCodes() {
    this.#errorCodes ??= deepFreeze(JSON.parse(this.#engine.call((m) => m.errorCodes())));
    return this.#errorCodes;
  }

  /** Number of workflows currently held by the engine (built-ins included); for leak tests. */
  get liveWorkflows() {
    return this.#engine.call((m) => m.liveHandles());
  }

  /** Bytes of WebAssembly memory currently reserved; for leak tests. */
  get memoryBytes() {
    return this.#engine.call((m) => m.HEAPU8.buffer.byteLength);
  }

  /** Bytes of wasm heap held by live custom workflows, and the budget they must stay within. */
  get memory() {
    return { used: this.#engine.used, budget: this.#engine.budget };
  }

  /** Resolves when the engine is ready for calls (at once, unless it is being replaced after an abort). */
  get ready() {
    return this.#engine.pending ?? Promise.resolve();
  }
}

/**
 * Builds `createOrderFlow` around the entry's way to instantiate the Emscripten module:
 * `instantiate(options)` gives a promise of one (Node reads the .wasm bytes from disk, the browser
 * fetches them), `instantiate(options, true)` a fresh one for replacing an aborted instance (at
 * once where it can, else a promise). Default instances are cached.
 */
export function makeCreateOrderFlow(instantiate) {
  let cached = null;
  return function createOrderFlow(options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(`orderflow: createOrderFlow(options): options must be an object, got ${describe(options)}`);
    }
    const opts = options || {};
    let budget = DEFAULT_MEMORY_BUDGET;
    if (opts.memoryBudget !== undefined) {
      budget = opts.memoryBudget;
      if (typeof budget !== 'number' || !(budget > 0)) {
        throw new TypeError(
          `orderflow: createOrderFlow(options): memoryBudget must be a positive number of bytes, got ${describe(budget)}`,
        );
      }
    }
    const custom = opts.wasmBinary || opts.locateFile || opts.wasmUrl || opts.memoryBudget !== undefined;
    if (!custom && cached) return cached;
    const promise = Promise.resolve(instantiate(opts)).then((module) => new OrderFlow(module, () => instantiate(opts, true), budget));
    if (!custom) {
      cached = promise;
      promise.catch(() => {
        if (cached === promise) cached = null;
      });
    }
    return promise;
  };
}
