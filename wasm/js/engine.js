// The WebAssembly instance behind an OrderFlow: calls into it, its replacement after an abort,
// and the memory budget of the workflows it holds.
import { OrderflowError } from './args.js';

/** Default budget of wasm heap bytes that live custom workflows may hold together. */
export const DEFAULT_MEMORY_BUDGET = 1024 * 1024 * 1024;

const MB = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

export class Engine {
  /**
   * `module`: a ready Emscripten module. `restart()`: a new one, returned at once where the entry
   * can instantiate synchronously (Node), or a promise of one (browsers). `budget`: bytes.
   */
  constructor(module, restart, budget) {
    this.m = module;
    this.generation = 1; // handles of workflows loaded in an older generation are reloaded
    this.restart = restart;
    this.budget = budget;
    this.used = 0; // bytes held by live custom workflows of this generation
    this.pending = null; // the replacement being instantiated (browsers)
    this.onReplace = []; // callbacks dropping state that pointed into the old instance
  }

  live() {
    if (this.m === null) {
      throw new OrderflowError(
        'orderflow: the engine aborted and is being replaced; call again when `flow.ready` resolves',
        [],
        'engine_restarting',
      );
    }
    return this.m;
  }

  /** fn(module). An abort or a trap (a WebAssembly.RuntimeError) replaces the instance. */
  call(fn) {
    const m = this.live();
    try {
      return fn(m);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw this.replace(e);
      throw e;
    }
  }

  // After an abort Emscripten refuses every later call and the heap may be half-updated, so the
  // instance is dropped whole (with every workflow handle in it) and a fresh one takes its place;
  // workflows reload themselves into it on their next call (facade.js, Workflow).
  replace(cause) {
    this.m = null;
    this.generation++;
    this.used = 0;
    for (const f of this.onReplace) f();
    let next;
    try {
      next = this.restart();
    } catch (e) {
      next = Promise.reject(e);
    }
    if (next && typeof next.then === 'function') {
      const pending = Promise.resolve(next).then((m) => {
        if (this.pending === pending) {
          this.m = m;
          this.pending = null;
        }
      });
      this.pending = pending;
      pending.catch(() => {
        if (this.pending === pending) this.pending = null;
      });
    } else {
      this.m = next;
    }
    return new OrderflowError(
      `orderflow: the engine aborted (${cause && cause.message}); this call did not complete, ` +
        `and the engine was replaced: built-in workflows and loaded ones keep working`,
      [],
      'engine_aborted',
    );
  }

  /** Throws an OrderflowError when `bytes` more would take live workflows over the budget. */
  reserve(bytes) {
    if (this.used + bytes > this.budget) {
      throw new OrderflowError(
        `orderflow: loading this workflow would exceed the module's memory budget ` +
          `(${MB(this.used)} of ${MB(this.budget)} held by live workflows, this one needs ${MB(bytes)}); ` +
          'call dispose() on workflows no longer needed, or pass a larger memoryBudget to createOrderFlow',
        [],
        'memory_budget',
      );
    }
    this.used += bytes;
  }
}
