// One order as the store interface's loadSeed/insert takes it (web/server/store/README.md), for
// tests that drive a store directly: a new cms order in store s1 with one item and its creation
// in the history. `extra` replaces any part of it.
export const SEED_AT = '2026-01-05T08:00:00.000Z';

export const seedOrder = (id, extra = {}) => ({
  id,
  workflow: 'cms',
  status: 'new',
  store_id: 's1',
  lock_version: 0,
  payment_status: 'paid',
  customer_name: `C${id}`,
  total: 10,
  tracking_number: null,
  created_at: SEED_AT,
  updated_at: SEED_AT,
  updated_by: null,
  items: [{ sku: 'A', name: 'Apple', quantity: 1 }],
  history: [{ lock_version: 0, from_status: null, to_status: 'new', actor: 'system', at: SEED_AT, notes: null, fields: {}, source: 'api' }],
  ...extra,
});
