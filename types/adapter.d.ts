// The adapter contract of orderflow's elements (`orderflow/elements`, `orderflow/adapters`).
// Hand-written, like dist/index.d.ts. An adapter is any object with at least listOrders and
// updateStatus; the workspace wraps it in withFallbacks(), which fills in what is missing.
import type { Order } from 'orderflow';

export type { Order };

/** Stored order as the API returns it; `id` and `status` are what the elements need. */
export interface ApiOrder extends Order {
  id: string | number;
  status: string;
  lock_version?: number;
  updated_by?: string | null;
  updated_at?: string | null;
  [key: string]: unknown;
}

export interface ListQuery {
  status?: string;
  store_id?: string | number;
  page?: number;
  per_page?: number;
}

export interface ListResult {
  orders: ApiOrder[];
  total: number;
  page?: number;
  per_page?: number;
}

/** One status change. `fields` holds the workflow's fields (e.g. tracking_number) by id. */
export interface StatusChange {
  status: string;
  notes?: string;
  fields?: Record<string, unknown>;
  /** The order's version as last read; sent only to APIs that use it (the reference server). */
  lock_version?: number;
}

export interface UpdateResult {
  /** The order as the server now holds it; null when the success answer could not be read. */
  order: ApiOrder | null;
  /** True when the server said yes but the answer had no readable order: the elements re-read it. */
  unreadable?: boolean;
  historyEntry?: unknown;
  /**
   * Set when the API reports that this change notifies the customer (and how far that got);
   * absent or null: nothing is said about notifications.
   */
  notification?: { state: 'pending' | 'held' | 'failed' | 'sent' } | null;
  raw?: unknown;
}

export interface BulkItemResult {
  id: string | number;
  ok: boolean;
  order?: ApiOrder | null;
  message?: string;
  status?: number;
  kind?: ApiErrorKind;
  errors?: Array<{ code?: string; message: string; field?: string }>;
  /** When the sentence is the adapter's own (not the server's): its key in the elements' string table. */
  messageKey?: string;
  messageParams?: Record<string, unknown>;
}

export interface BulkResult {
  results: BulkItemResult[];
  succeeded: number;
  failed: number;
  /** Set when the fallback sent one update per order. */
  oneByOne?: boolean;
  /** Set when the server ran it as a background job (its id in `jobId`). */
  job?: boolean;
  jobId?: string;
}

export interface HistoryEntry {
  id?: string | number;
  from_status?: string | null;
  to_status: string;
  actor?: string | null;
  at?: string | null;
  notes?: string | null;
  fields?: Record<string, unknown> | null;
  source?: string | null;
}

/** A live change: at least the order id and its new status. */
export interface OrderChange {
  id: string | number;
  status: string;
  lock_version?: number;
  updated_by?: string | null;
  workflow?: string;
  /** The whole order, when known (polling gives it). */
  order?: ApiOrder;
}

export type ApiErrorKind =
  | 'network'
  | 'conflict'
  | 'forbidden'
  | 'refused'
  | 'invalid_status'
  | 'not_found'
  | 'bad_request'
  | 'unauthorized'
  | 'csrf'
  | 'rate_limited'
  | 'server';

/** Every failure an adapter reports. `message` is one plain sentence, never markup. */
export declare class ApiError extends Error {
  readonly name: 'ApiError';
  kind: ApiErrorKind;
  /** HTTP status, 0 when nothing came back. */
  status: number;
  errors: Array<{ code?: string; message: string; field?: string }>;
  /** The order as the server holds it (after a conflict), when it said. */
  order: ApiOrder | null;
  changedBy: string | null;
  changedAt: string | null;
  retryAfter: string | null;
  body: unknown;
  /**
   * When the sentence is the adapter's own, not the server's (an HTML error page, an unreadable
   * answer, an order not in the list): its key in the elements' string table and the parameters;
   * `message` is then its English text. The elements show it in the page's language.
   */
  messageKey?: string;
  messageParams?: Record<string, unknown>;
  constructor(o: {
    kind: ApiErrorKind;
    status?: number;
    message?: string;
    messageKey?: string;
    messageParams?: Record<string, unknown>;
    [key: string]: unknown;
  });
}

/**
 * What the elements ask of an API. Required: listOrders, updateStatus. Optional ones are used
 * when present; withFallbacks() fills the rest. Methods reject with ApiError.
 */
export interface OrderAdapter {
  /** The built-in workflow this API's orders follow ("cms", "delivery"), when known. */
  readonly workflowId?: string;
  readonly dialect?: string;
  listOrders(query: ListQuery, options?: { signal?: AbortSignal }): Promise<ListResult>;
  updateStatus(id: string | number, change: StatusChange, options?: { idempotencyKey?: string }): Promise<UpdateResult>;
  getOrder?(id: string | number): Promise<ApiOrder>;
  /** Status history, oldest first. */
  history?(id: string | number): Promise<HistoryEntry[]>;
  /**
   * Several orders at once. `onProgress(done, total)` when the API reports progress (the
   * reference server's background job for more than 500 orders).
   */
  bulkUpdate?(
    ids: Array<string | number>,
    change: Omit<StatusChange, 'lock_version'>,
    options?: { idempotencyKey?: string; onProgress?: (done: number, total: number) => void },
  ): Promise<BulkResult>;
  /**
   * Above this many ids one bulkUpdate call runs as a server-side job that reports progress
   * (the reference server: 500); the workspace then sends the selection whole instead of in
   * chunks of 100.
   */
  readonly bulkJobThreshold?: number;
  /** Status ids the server allows next for this order. */
  allowedStatuses?(id: string | number): Promise<string[] | Array<{ id: string }>>;
  /** Live changes; returns the function that stops them. */
  subscribe?(onChange: (change: OrderChange) => void): () => void;
  /** The workflow document (docs/workflow-format.md). Without it, name a built-in workflow. */
  workflow?(): Promise<Record<string, unknown>>;
}

/** An adapter after withFallbacks(): every method is there. */
export interface CompleteAdapter extends Required<Omit<OrderAdapter, 'subscribe' | 'workflow' | 'allowedStatuses' | 'history'>> {
  readonly raw: OrderAdapter;
  /** Which optional methods the API itself has. */
  readonly capabilities: Readonly<{
    getOrder: boolean;
    history: boolean;
    bulkUpdate: boolean;
    allowedStatuses: boolean;
    subscribe: boolean;
    workflow: boolean;
  }>;
  /** Resolves to null when the API keeps no history (the timeline says so). */
  history(id: string | number): Promise<HistoryEntry[] | null>;
  /** The order as the server now holds it (getOrder, or found in the last list query). */
  reread(id: string | number): Promise<ApiOrder>;
  subscribe?(onChange: (change: OrderChange) => void): () => void;
  workflow?(): Promise<Record<string, unknown>>;
  allowedStatuses?(id: string | number): Promise<string[] | Array<{ id: string }>>;
}

export interface FallbackOptions {
  /** Updates in flight at once when bulk falls back to one update per order (default 4). */
  concurrency?: number;
  /** Without subscribe(): re-read the list every this many ms (default 0: off). */
  pollInterval?: number;
}

export declare function withFallbacks(adapter: OrderAdapter, options?: FallbackOptions): CompleteAdapter;

export type Operation = 'listOrders' | 'updateStatus' | 'getOrder' | 'history' | 'bulkUpdate' | 'allowedStatuses' | 'workflow';

export interface RestAdapterOptions {
  /** The API's dialect, as the documents write it. Default "cms". */
  dialect?: 'cms' | 'delivery';
  /** Prefix of every path, e.g. "https://cms.example.com". Default "" (same origin). */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <token>`; a function is asked before every request. */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>);
  /** Extra headers (e.g. a CSRF header of the CMS); a function is asked before every request. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** fetch's credentials mode. Default "same-origin". */
  credentials?: RequestCredentials;
  fetch?: typeof fetch;
  /**
   * Which endpoints the API has, beyond the document's: true (the dialect's path), a path with
   * ":id", or false. `events` is a server-sent-events URL path.
   */
  endpoints?: Partial<Record<Operation, boolean | string>> & { events?: string };
  /** Rewrites a request body before it is sent. */
  mapRequest?: (op: Operation, body: unknown, context: { id?: string | number }) => unknown;
  /** Rewrites a JSON response body before the dialect reads it (success and error answers). */
  mapResponse?: (op: Operation, body: unknown, context: { id?: string | number; status: number }) => unknown;
  /** The reference server (web/server): every endpoint, cookie + CSRF, lock_version, Idempotency-Key. */
  reference?: boolean;
  /** The built-in workflow of these orders. Default: the dialect's ("cms" or "delivery"). */
  workflowId?: string;
}

/** An adapter for an API that speaks one of the documents' dialects. */
export declare function createAdapter(
  options?: RestAdapterOptions,
): OrderAdapter & { readonly workflowId: string; readonly dialect: string };

export interface ReferenceUser {
  username: string;
  display_name?: string;
  roles: Record<string, string | null>;
  stores: Array<string | number>;
}

/** The reference server's client: cookie session + CSRF, and adapters for both dialects. */
export declare function createClient(options?: { baseUrl?: string; fetch?: typeof fetch }): {
  session: {
    login(username: string, password: string): Promise<ReferenceUser>;
    me(): Promise<ReferenceUser | null>;
    logout(): Promise<void>;
    stores(workflow?: string): Promise<Array<{ id: string | number; name?: string }>>;
    demoUsers(): Promise<ReferenceUser[]>;
  };
  dialects: string[];
  api(dialect: 'cms' | 'delivery'): OrderAdapter;
  eventsUrl(): string;
};

/** "The server answered HTTP 502 (Bad Gateway) without a readable message." */
export declare function plainStatusSentence(status: number): string;
