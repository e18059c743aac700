// A bulk update's request body and answer, as every adapter sends and reads them. In a module of
// their own so an adapter has them at once while jobs.js (following a server job) is loaded only
// when a bulk update becomes a job: the self-contained bundle keeps jobs.js in a chunk.

/** A bulk answer (or a finished job) as the adapters' BulkResult: {results, succeeded, failed}. */
export function normalizeBulk(b) {
  const results = (b?.results ?? []).map((r) => {
    if (r.ok) return { id: r.id, ok: true, order: r.order ?? null };
    const said = (typeof r.error === 'string' ? r.error : r.error?.message) ?? r.message ?? r.errors?.[0]?.message;
    return {
      id: r.id,
      ok: false,
      status: r.status,
      errors: r.errors ?? [],
      ...(said ? { message: said } : { message: 'Refused', messageKey: 'refusedNoReason' }),
    };
  });
  return {
    results,
    succeeded: b?.succeeded ?? results.filter((r) => r.ok).length,
    failed: b?.failed ?? results.filter((r) => !r.ok).length,
  };
}

/** The body of `POST .../bulk_update`, the same in both dialects: notes and fields only when given. */
export function bulkBody(ids, { status, notes, fields }) {
  const body = { order_ids: ids, status };
  if (notes) body.notes = notes;
  if (fields && Object.keys(fields).length) body.fields = fields;
  return body;
}
