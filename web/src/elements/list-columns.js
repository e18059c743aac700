// Which of the order list's optional columns are shown. An existing API gives what it has (the
// delivery document's orders carry no store, date or payment), and staff should see that data,
// not empty columns. So: the columns a page names (`columns`, e.g. "customer total"), else each
// column for which some order of the loaded list has a value. The Order and Status columns (and
// the change controls) are always there: they are what the list is for.

/** Column id → the order's value it shows (empty: null, undefined or ''). */
const COLUMNS = {
  customer: (o) => o.customer_name,
  store: (o) => o.store_id,
  date: (o) => o.created_at,
  payment: (o) => o.payment_status,
  total: (o) => o.total,
  'updated-by': (o) => o.updated_by_name ?? o.updated_by,
};

const has = (v) => v !== undefined && v !== null && v !== '';

/**
 * The table's class naming the columns left out ("no-store no-date", styled away in
 * of-order-list.styles.js). `columns`: an array of ids or a string of them (spaces or commas
 * between); unknown ids are ignored; none named → chosen from `orders`. `previous` is kept while
 * the list is empty (a reload, a filter without results), so the header does not jump.
 */
export function hiddenColumns(columns, orders, previous) {
  const asked = (typeof columns === 'string' ? columns.split(/[\s,]+/) : (columns ?? [])).filter((id) => id in COLUMNS);
  if (!asked.length && !orders.length && previous !== undefined) return previous;
  return Object.keys(COLUMNS)
    .filter((id) => (asked.length ? !asked.includes(id) : !orders.some((o) => has(COLUMNS[id](o)))))
    .map((id) => `no-${id}`)
    .join(' ');
}
