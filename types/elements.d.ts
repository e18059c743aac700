// Types of `orderflow/elements`: the custom elements (properties in, events out; every event
// bubbles and is composed), and what the entry exports besides. Hand-written; the generated
// custom-elements.json describes the same elements for editors and catalogs.
import type { AllowedOption, Workflow, OrderFlow, Status, CheckResult, BulkPlan } from 'orderflow';
import type { OrderAdapter, ApiOrder, HistoryEntry, BulkItemResult } from './adapter.js';

export * from './adapter.js';

/** Who works the page: a role of the workflow and the stores assigned to them. */
export interface PageActor {
  role: string;
  stores?: Array<string | number>;
}

/** The elements' window onto the engine: a Workflow and an actor, with a cache. */
export declare class Rules {
  constructor(wf: Workflow, actor: PageActor);
  readonly wf: Workflow;
  readonly actor: PageActor;
  readonly statuses: readonly Status[];
  status(value: string): Status & { unknown?: boolean };
  allowed(order: ApiOrder): readonly AllowedOption[];
  check(order: ApiOrder, to: string, values?: Record<string, unknown>): CheckResult;
  planBulk(orders: ApiOrder[], to: string, values?: Record<string, unknown>): BulkPlan;
  /** Why this actor may change nothing about `order`, in the workflow's words, or ''. */
  noChangeReason(order: ApiOrder | null | undefined): string;
  /** Field ids a change into `to` requires from orders stored with any of `statuses`. */
  requiredFields(to: string, statuses: readonly string[]): string[];
}

/** Loads the engine once (the .wasm next to the module, or where the bundler put it). */
export declare function loadFlow(): Promise<OrderFlow>;

/** Rules from a built-in workflow id or a document (else the adapter's workflow()), for this actor. */
export declare function rulesFor(o: {
  adapter?: OrderAdapter;
  workflow?: string | Record<string, unknown> | null;
  actor: PageActor;
}): Promise<Rules>;

/** Formatting help a message function gets: the locale, its plural category of n, n formatted. */
export interface MessageFormat {
  locale: string;
  plural(n: number): Intl.LDMLPluralRule;
  n(x: number): string;
}
/** One message: a string, or a function of its parameters. */
export type Message = string | ((params: Record<string, any>, f: MessageFormat) => string);
/** A table of messages by key (web/src/i18n/en.js lists every key). */
export type Messages = Record<string, Message>;
/** Adds or extends a language (`defineMessages('fr', {...})`); missing keys fall back to English. Re-renders the page's elements. */
export declare function defineMessages(locale: string, table: Messages): void;
/** Rewords single strings of a language (`overrideMessages('en', {bulkActions: 'Mass edit'})`). Re-renders the page's elements. */
export declare function overrideMessages(locale: string, table: Messages): void;
/** The English table, every key the elements use. */
export declare const english: Readonly<Messages>;

/**
 * Resolves when every element is defined. With this entry they all are already; the
 * self-contained bundle loads the detail view and the bulk dialog on first use, and a page using
 * those elements on their own awaits this first.
 */
export declare function loadAllElements(): Promise<void>;

/** How a row offers its changes: `buttons` (one per next status), a `dropdown`, or `auto` (buttons where no status has more than two next statuses). */
export type RowControls = 'auto' | 'dropdown' | 'buttons';

/**
 * An optional column of the order list (Order and Status are always shown). Without a `columns`
 * choice, each is shown when some order of the loaded list has its data (customer_name, store_id,
 * created_at, payment_status, total, updated_by_name / updated_by).
 */
export type ListColumn = 'customer' | 'store' | 'date' | 'payment' | 'total' | 'updated-by';

export interface AlertAction {
  id: string;
  label: string;
  primary?: boolean;
}
export interface Problem {
  kind: 'error' | 'warning' | 'info' | 'success';
  message: string;
  detail?: string | string[];
  actions?: AlertAction[];
}

export declare class OfStatusBadge extends HTMLElement {
  label: string;
  /** CSS colour of the status; the text colour is picked for contrast. */
  color: string;
  pending: boolean;
}

export declare class OfStatusDropdown extends HTMLElement {
  orderId: string | number;
  /** The next statuses, as the engine's allowed() gives them. */
  options: readonly AllowedOption[];
  disabled: boolean;
}

export declare class OfAlert extends HTMLElement {
  /** success/info/warning → role=status; error → role=alert. */
  kind: 'success' | 'info' | 'warning' | 'error';
  message: string;
  detail?: string | string[];
  actions: AlertAction[];
  dismissible: boolean;
}

export declare class OfConfirmDialog extends HTMLElement {
  open: boolean;
  order: ApiOrder | null;
  option: AllowedOption | null;
  rules: Rules | null;
  busy: boolean;
  problem: Problem | null;
}

export declare class OfHistoryTimeline extends HTMLElement {
  /** Oldest first; null: the API keeps no history (said in plain words). */
  entries: HistoryEntry[] | null;
  rules: Rules | null;
  loading: boolean;
}

export declare class OfWorkflowDiagram extends HTMLElement {
  statuses: readonly Status[];
  edges: Workflow['edges'];
  initial: string;
  current: string;
  allowed: readonly string[];
}

export declare class OfOrderDetail extends HTMLElement {
  order: ApiOrder | null;
  rules: Rules | null;
  stores: Array<{ id: string | number; name?: string }>;
  history: HistoryEntry[] | null;
  historyLoading: boolean;
  loading: boolean;
  busy: boolean;
  problem: Problem | null;
  editing: boolean;
}

export declare class OfOrderList extends HTMLElement {
  rules: Rules | null;
  orders: ApiOrder[];
  total: number;
  page: number;
  perPage: number;
  loading: boolean;
  selected: Set<string | number>;
  busyIds: Set<string | number>;
  stores: Array<{ id: string | number; name?: string }>;
  filters: { status?: string; store_id?: string | number };
  /** Attribute `controls`. */
  controls: RowControls;
  /** Attribute `columns` (ids separated by spaces): the optional columns shown, in their fixed order; null: those the orders have data for. */
  columns: readonly ListColumn[] | string | null;
}

export declare class OfBulkDialog extends HTMLElement {
  open: boolean;
  orders: ApiOrder[];
  rules: Rules | null;
  phase: 'form' | 'running' | 'done';
  progress: { done: number; total: number };
  results: BulkItemResult[];
  problem: Problem | null;
}

/**
 * The whole screen, wired to one adapter: list, detail, dialogs, bulk, live updates.
 * Give it `rules`, or `actor` plus a `workflow` (built-in id or document; without one, the
 * adapter's workflow()).
 */
export declare class OfOrderWorkspace extends HTMLElement {
  /** Any adapter; it is wrapped in withFallbacks() when set. */
  api: OrderAdapter | null;
  rules: Rules | null;
  /** Attribute `workflow`: a built-in workflow id ("cms", "delivery"), or a document (property). */
  workflow: string | Record<string, unknown> | null;
  actor: PageActor | null;
  stores: Array<{ id: string | number; name?: string }>;
  /** Attribute `events-url`: a server-sent-events URL (else the adapter's subscribe()). */
  eventsUrl: string | null;
  /** Attribute `per-page`. */
  perPage: number;
  /** Attribute `poll-interval` (ms): without live events, re-read the list this often. */
  pollInterval: number;
  /** Attribute `controls`: how rows offer changes. */
  controls: RowControls;
  /** Attribute `columns` (ids separated by spaces): the list's optional columns; null: those the API's orders have data for. */
  columns: readonly ListColumn[] | string | null;
  initialFilters: { status?: string; store_id?: string | number };
}

export interface OrderflowEvents {
  'of-status-select': CustomEvent<{ orderId: string | number; to: string; direct?: boolean }>;
  'of-confirm': CustomEvent<{ orderId: string | number; to: string; values: Record<string, unknown> }>;
  'of-save': CustomEvent<{ orderId: string | number; to: string; values: Record<string, unknown> }>;
  'of-edit': CustomEvent<{ editing: boolean }>;
  'of-open': CustomEvent<{ orderId: string | number }>;
  'of-select': CustomEvent<{ ids: Array<string | number>; selected: boolean }>;
  'of-page': CustomEvent<{ page: number; perPage: number }>;
  'of-filter': CustomEvent<{ status?: string; store_id?: string | number }>;
  'of-bulk-action': CustomEvent<{ action: 'update-status' }>;
  'of-bulk-run': CustomEvent<{
    to: string;
    values: Record<string, unknown>;
    ids: Array<string | number>;
    skipped: Array<{ id: string | number; errors: Array<{ code?: string; message: string }> }>;
  }>;
  'of-bulk-retry': CustomEvent<Record<string, never>>;
  'of-alert-action': CustomEvent<{ id: string }>;
  'of-dismiss': CustomEvent<Record<string, never>>;
  'of-close': CustomEvent<Record<string, never>>;
  'of-loaded': CustomEvent<{ count: number; total: number }>;
  'of-session-expired': CustomEvent<undefined>;
}

declare global {
  interface HTMLElementTagNameMap {
    'of-status-badge': OfStatusBadge;
    'of-status-dropdown': OfStatusDropdown;
    'of-alert': OfAlert;
    'of-confirm-dialog': OfConfirmDialog;
    'of-history-timeline': OfHistoryTimeline;
    'of-workflow-diagram': OfWorkflowDiagram;
    'of-order-detail': OfOrderDetail;
    'of-order-list': OfOrderList;
    'of-bulk-dialog': OfBulkDialog;
    'of-order-workspace': OfOrderWorkspace;
  }
  interface HTMLElementEventMap extends OrderflowEvents {}
}
