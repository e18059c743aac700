// TypeScript declarations of the orderflow npm module (hand-written: Emscripten 3.1.6 has no
// --emit-tsd). Everything is plain data: nothing to .delete(), no classes to construct yourself.
// The built-in workflows' ids (./workflows.d.ts) are generated from core/workflows/*.json.

import type { BuiltinWorkflows } from './workflows.js';

export type { BuiltinWorkflows, CmsWorkflow, DeliveryWorkflow } from './workflows.js';

/**
 * The ids of one workflow as string unions: the type parameter `W` of `Workflow`, `Actor`,
 * `Fields`, ... `orderflow types my-workflow.json` writes one (`MyWorkflow`) for a workflow file;
 * the built-ins have `CmsWorkflow` and `DeliveryWorkflow`. The default, `WorkflowTypes` itself,
 * takes any string (a workflow loaded without types).
 */
export interface WorkflowTypes {
  readonly id: string;
  /** Status ids. */
  readonly status: string;
  /** Role ids. */
  readonly role: string;
  /** Field ids. */
  readonly field: string;
}

/** JSON as the engine reads it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The engine's own refusal codes, as `flow.errorCodes` lists them (core/src/answers.cpp; a test
 * checks this union against that table). A workflow's guards may not use them.
 */
export type EngineErrorCode =
  | 'invalid_order'
  | 'invalid_actor'
  | 'unknown_status'
  | 'terminal_status'
  | 'invalid_transition'
  | 'read_only'
  | 'forbidden_role'
  | 'forbidden_store'
  | 'missing_field'
  | 'invalid_field';

/**
 * A stable refusal code: the engine's own, or a guard's code from the workflow
 * (`payment_required`, `inventory_short` in the built-ins).
 */
export type ErrorCode = EngineErrorCode | 'payment_required' | 'inventory_short' | (string & {});

/** One entry of `flow.errorCodes`. */
export interface ErrorCodeInfo {
  readonly code: EngineErrorCode;
  /** A refusal about who asks rather than the order (the REST APIs answer these with 403). */
  readonly permission: boolean;
  /** What the code means, in plain words. */
  readonly message: string;
}

/** A line item a stock refusal (`items_in_stock` guard) names. */
export interface ShortItem {
  /** The item's `sku` as text, or null when it has none (the message then says "item 3"). */
  readonly sku: string | null;
  /** Units ordered (1 when the item gives no quantity). */
  readonly quantity: number;
  /** Units in stock, or null when not known (`in_stock` false or absent). */
  readonly available: number | null;
  /** Position in the order's `items`. */
  readonly index: number;
}

/** One reason a change is refused. */
export interface EngineError {
  /** Stable machine-readable code, e.g. `"forbidden_role"`. */
  readonly code: ErrorCode;
  /** A sentence for a store employee, from the workflow or the engine. */
  readonly message: string;
  /** The input concerned (`"rejection_reason"`, `"notes"`, ...), when there is one. */
  readonly field?: string;
  /**
   * A stock refusal's short items, every one (its message names the first five, then "and N
   * more").
   */
  readonly items?: readonly ShortItem[];
}

/** A line item as the guards read it. */
export interface OrderItem {
  sku?: string;
  /** A finite number ≥ 0. */
  quantity?: number;
  /** `true`/`false`, or the units in stock (compared with `quantity`). */
  in_stock?: boolean | number;
  [key: string]: unknown;
}

/** An order as the engine reads it; other keys are ignored. */
export interface Order<W extends WorkflowTypes = WorkflowTypes> {
  id?: Json;
  /** Current status (current or legacy value: legacy values are read through the aliases). */
  status: W['status'] | (string & {});
  /** Compared as text with the actor's stores (number 1 is "1"). */
  store_id?: string | number | null;
  lock_version?: number;
  /** Read by the built-in `cms` workflow's payment guard; an `equals` guard may name any other top-level field. */
  payment_status?: string | null;
  items?: OrderItem[] | null;
  [key: string]: unknown;
}

/** Who asks: a role of the workflow and the stores assigned to them. */
export interface Actor<W extends WorkflowTypes = WorkflowTypes> {
  role: W['role'];
  stores?: Array<string | number>;
  [key: string]: unknown;
}

/** Field values submitted with a change, by field id (e.g. `{ notes: "...", rejection_reason: "..." }`). */
export type Fields<W extends WorkflowTypes = WorkflowTypes> = [W['field']] extends [never]
  ? { readonly [key: string]: never }
  : { [K in W['field']]?: unknown };

/** A status of the workflow. */
export interface Status<W extends WorkflowTypes = WorkflowTypes> {
  readonly id: W['status'];
  readonly label: string;
  /** CSS colour for badges. */
  readonly color: string;
  readonly terminal: boolean;
  /** The order's stock while in this status. */
  readonly stock: 'none' | 'reserved' | 'consumed' | (string & {});
  /** Whether the customer is told when an order enters this status. */
  readonly notify: boolean;
}

export interface Role<W extends WorkflowTypes = WorkflowTypes> {
  readonly id: W['role'];
  readonly label?: string;
  /** `"all"` stores or only the `"assigned"` ones. */
  readonly scope?: 'all' | 'assigned' | (string & {});
  readonly readOnly?: boolean;
}

export interface FieldDefinition<W extends WorkflowTypes = WorkflowTypes> {
  readonly id: W['field'];
  readonly label?: string;
  readonly type?: 'text' | 'choice' | (string & {});
  readonly maxLength?: number;
  readonly values?: readonly string[];
}

export interface Transition<W extends WorkflowTypes = WorkflowTypes> {
  /** A status id, or `"*"` for any non-terminal status. */
  readonly from: W['status'] | '*';
  readonly to: W['status'];
  readonly roles?: readonly W['role'][];
  readonly requires?: readonly W['field'][];
  readonly optional?: readonly W['field'][];
  readonly guards?: readonly string[];
  readonly confirm?: boolean;
  readonly action?: string;
}

/**
 * One arrow of the workflow as the engine applies it: a `"*"` transition is one arrow from each
 * status it applies from (not terminal, not its target, no transition of its own to that target).
 */
export interface Edge<W extends WorkflowTypes = WorkflowTypes> {
  readonly from: W['status'];
  readonly to: W['status'];
  /** Button text where the workflow names one. */
  readonly action?: string;
  /** Ids of the roles that may take it. */
  readonly roles: readonly W['role'][];
}

/** A next status the actor may pick, as the UI offers it. */
export interface AllowedOption<W extends WorkflowTypes = WorkflowTypes> {
  readonly id: W['status'];
  readonly label: string;
  readonly color: string;
  /** Button text where the workflow names one (`"Accept"`). */
  readonly action?: string;
  /** Field ids that must be filled in. */
  readonly requires: W['field'][];
  /** Field ids that may be filled in. */
  readonly optional: W['field'][];
  /** Whether the UI must ask before applying. */
  readonly confirm: boolean;
  /**
   * Present when `check` would refuse this change because of the order itself: the first failing
   * guard of the transition, in `check`'s words (`inventory_short` with its short `items`,
   * `payment_required`, a guard's missing-data sentence), or `invalid_order` when the part a guard
   * reads is malformed. The option stays listed so that a UI can show it unavailable with this
   * reason before anyone picks it; fields are not judged here, and `check` keeps the final word.
   */
  readonly blocked?: EngineError;
}

/**
 * The options of `allowed`. The array is empty for terminal statuses and read-only roles; when
 * the order or actor itself is malformed it is empty and the non-enumerable `errors` says why
 * (`allowed` reads the order's `status` and, for store-scoped roles, its `store_id`). `options`
 * gives the same list with the reason whenever it is empty.
 */
export type AllowedOptions<W extends WorkflowTypes = WorkflowTypes> = AllowedOption<W>[] & { readonly errors: EngineError[] };

/** `options`: what `allowed` offers, and when it offers nothing, why. */
export interface OptionsResult<W extends WorkflowTypes = WorkflowTypes> {
  readonly options: readonly AllowedOption<W>[];
  /**
   * Present when `options` is empty: a malformed order or actor, an unknown status, a final
   * status, an unknown or read-only role, a store not the actor's, or no change this role may make
   * from this status; `message` is the workflow's sentence for it.
   */
  readonly reason?: EngineError;
}

/** `visibleStores`: the stores whose orders an actor may see. */
export interface StoreScope {
  /** The role covers every store. */
  readonly all: boolean;
  /** When not `all`: the actor's stores, as text (numbers as `String(n)`), sorted, once each. */
  readonly stores: readonly string[];
  /** Why none: `invalid_actor`, or `forbidden_role` for a role the workflow does not have. */
  readonly errors: readonly EngineError[];
}

/** The verdict of `check`. */
export type CheckResult = { ok: true; errors: [] } | { ok: false; errors: EngineError[] };

/** The verdict of `normalize`. */
export type NormalizeResult<W extends WorkflowTypes = WorkflowTypes> =
  { ok: true; status: W['status'] } | { ok: false; error: EngineError };

/** The plan of `planBulk`: the same verdicts as `check`, in input order. */
export interface BulkPlan {
  /** Ids of the orders that may change (an order without `id` is listed as `null`). */
  eligible: Json[];
  /** The others, each with every reason. Identical verdicts share one frozen error array. */
  blocked: Array<{ id: Json; errors: readonly EngineError[] }>;
}

/**
 * A loaded, validated workflow. Its data is frozen; its methods never throw on bad orders.
 * `W` types its status, role and field ids (`Workflow<CmsWorkflow>`: `check` takes only cms
 * status ids); plain `Workflow` takes any string.
 */
export interface Workflow<W extends WorkflowTypes = WorkflowTypes> {
  readonly id: W['id'];
  readonly name: string;
  /** The status of a new order. */
  readonly initial: W['status'];
  readonly statuses: readonly Status<W>[];
  readonly roles: readonly Role<W>[];
  readonly fields: readonly FieldDefinition<W>[];
  readonly transitions: readonly Transition<W>[];
  /** Every arrow, `"*"` expanded, in the order changes are offered (for diagrams). */
  readonly edges: readonly Edge<W>[];
  /** The validated workflow document (for diagrams, lint, the UI). */
  readonly document: Readonly<Record<string, Json>>;

  /**
   * Reads a stored status value (current or legacy) as a current status.
   * @throws TypeError when `value` is not a string.
   */
  normalize(value: string): NormalizeResult<W>;

  /**
   * The next statuses `actor` may pick for `order`.
   * @throws TypeError when `actor` is missing, or an argument is too large or cannot be read.
   */
  allowed(order: Order<W>, actor: Actor<W>): AllowedOptions<W>;

  /**
   * `allowed` with the reason when it offers nothing (for "why can I not change this order?").
   * @throws TypeError as `allowed`.
   */
  options(order: Order<W>, actor: Actor<W>): OptionsResult<W>;

  /**
   * The stores whose orders `actor` may see (from the role's scope).
   * @throws TypeError when `actor` is missing or cannot be converted to JSON.
   */
  visibleStores(actor: Actor<W>): StoreScope;

  /**
   * Whether `actor` may see (and so change) orders of store `storeId`; null: an order without a
   * store. False for a malformed actor or an unknown role.
   * @throws TypeError when `storeId` is not a string, a number or null, or `actor` is missing.
   */
  canSee(actor: Actor<W>, storeId: string | number | null): boolean;

  /**
   * The fields a change into `to` requires from orders stored with any of `statuses` (current or
   * legacy values), whatever the role, in the workflow's field order (for a bulk change's form).
   * @throws TypeError when `to` is not a string or `statuses` not an array of strings.
   */
  requiredFields(to: W['status'], statuses: readonly string[]): W['field'][];

  /**
   * Whether `actor` may move `order` to `to` with `fields`, with every reason if not (in a
   * fixed order). A malformed order or actor is refused with `invalid_order` / `invalid_actor`;
   * the order is read only as far as this change needs it (a field an `equals` guard names, such
   * as `payment_status`, or its `items` only when the transition has a guard on them), so a broken part it does not read never blocks it.
   * An order is read as JSON.stringify sees it (own enumerable properties only; nothing inherited).
   * @throws TypeError when `to` is not a string, `actor` is missing, an argument is larger than
   * 8 Mi UTF-16 units, or the order's id cannot be converted to JSON.
   */
  check(order: Order<W>, to: W['status'], fields: Fields<W> | null | undefined, actor: Actor<W>): CheckResult;

  /**
   * `check` for many orders in one call (fast: 100,000 orders in a few milliseconds).
   * @throws TypeError when `orders` is not an array (or iterable) or `to` is not a string.
   */
  planBulk(
    orders: readonly Order<W>[] | Iterable<Order<W>>,
    to: W['status'],
    fields: Fields<W> | null | undefined,
    actor: Actor<W>,
  ): BulkPlan;

  /**
   * Releases the engine's memory for this workflow now (besides the collector's finalizer);
   * later calls throw an `OrderflowError` with code `disposed`. A no-op on built-in workflows.
   * Also `wf[Symbol.dispose]()` where the runtime has `Symbol.dispose` (for `using`); not declared
   * here, so that these types need no `esnext` lib.
   */
  dispose(): void;
}

/** The loaded engine. */
export interface OrderFlow {
  /** Ids of the built-in workflows (`["cms", "delivery"]`). */
  readonly workflows: readonly string[];
  /**
   * A built-in workflow by id (cached), typed with its ids: `workflow('cms')` is a
   * `Workflow<CmsWorkflow>`.
   * @throws OrderflowError when the id is unknown.
   */
  workflow<K extends keyof BuiltinWorkflows>(id: K): Workflow<BuiltinWorkflows[K]>;
  /**
   * A workflow document as an object or JSON text (or a built-in id held in a `string`).
   * `W` is its types as `orderflow types` writes them (`workflow<MyWorkflow>(doc)`); without it
   * ids are plain strings. The types are not checked against the document: regenerate them
   * when it changes.
   * @throws OrderflowError when the workflow is invalid or the id unknown.
   */
  workflow<W extends WorkflowTypes = WorkflowTypes>(source: string | Record<string, unknown>): Workflow<W>;
  /**
   * Loads a workflow from JSON text exactly as given (never read as a built-in id); `W` as for
   * `workflow`.
   * @throws OrderflowError when the workflow is invalid.
   */
  loadText<W extends WorkflowTypes = WorkflowTypes>(text: string): Workflow<W>;
  /** Every code the engine itself answers, in `check`'s order, with its meaning. */
  readonly errorCodes: readonly ErrorCodeInfo[];
  /** Workflows currently held by the engine (built-ins included): for leak tests. */
  readonly liveWorkflows: number;
  /** Bytes of WebAssembly memory currently reserved: for leak tests. */
  readonly memoryBytes: number;
  /** Wasm heap bytes held by live custom workflows, and the budget they must stay within. */
  readonly memory: { readonly used: number; readonly budget: number };
  /** Resolves when the engine can take calls (at once, unless it is replacing an aborted instance). */
  readonly ready: Promise<void>;
}

export interface CreateOptions {
  /** Browser: where to fetch `orderflow.wasm` from (default: next to the module). */
  wasmUrl?: string | URL;
  /** Browser: Emscripten's `locateFile(path, prefix)` hook, for full control. */
  locateFile?: (path: string, prefix: string) => string;
  /** The `.wasm` bytes, when you already have them. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * Wasm heap bytes that live custom workflows may hold together (default 1 GiB); loading past it
   * throws an `OrderflowError` with code `memory_budget`.
   */
  memoryBudget?: number;
}

/**
 * A workflow that failed to load (`code` `invalid_workflow`: `message` is the loader's text, one
 * problem per line), or a module-level failure, each with a stable `code`: `memory_budget`,
 * `disposed`, `engine_aborted` (the WebAssembly instance aborted during this call and was
 * replaced), `engine_restarting` (browsers: the replacement is not ready yet; await `flow.ready`),
 * `wasm_load_failed` (the message names the URL or file tried).
 */
export declare class OrderflowError extends Error {
  readonly name: 'OrderflowError';
  readonly code: 'invalid_workflow' | 'memory_budget' | 'disposed' | 'engine_aborted' | 'engine_restarting' | 'wasm_load_failed';
  /** Every problem found, in document order, e.g. `{ path: "transitions[3].to", message: 'unknown status "shiped"' }`. */
  readonly problems: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}

/**
 * Loads the engine once (later calls without options share it) and returns an OrderFlow.
 *
 * ```js
 * const flow = await createOrderFlow();
 * const wf = flow.workflow('cms');
 * wf.check({ id: 1, status: 'new', store_id: 's1' }, 'processing', {}, { role: 'admin' });
 * ```
 */
export declare function createOrderFlow(options?: CreateOptions): Promise<OrderFlow>;
export default createOrderFlow;
