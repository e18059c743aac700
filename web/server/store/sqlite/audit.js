// The audit trail of refused change attempts (SQLite): append-only, capped.

export function auditRepo(db) {
  const q = {
    insert: db.prepare(`INSERT INTO audit_refusals (at, username, workflow, order_id, target_status, http_status, codes, source)
                        VALUES (@at, @username, @workflow, @order_id, @target_status, @http_status, @codes, @source)`),
    trim: db.prepare('DELETE FROM audit_refusals WHERE id <= (SELECT MAX(id) FROM audit_refusals) - ?'),
  };
  return {
    // rows: [{at, username, workflow, order_id, target_status, http_status, codes: [..], source}];
    // then keeps the newest maxRows rows.
    append(rows, maxRows) {
      for (const r of rows) q.insert.run({ ...r, codes: JSON.stringify(r.codes) });
      q.trim.run(maxRows);
    },
    // Newest first. filter: {username, orderId, code, since, until (ISO), beforeId, limit}.
    list({ username, orderId, code, since, until, beforeId, limit }) {
      const where = [];
      const args = [];
      if (username) {
        where.push('username = ?');
        args.push(username);
      }
      if (orderId) {
        where.push('order_id = ?');
        args.push(orderId);
      }
      if (code) {
        where.push('EXISTS (SELECT 1 FROM json_each(codes) WHERE value = ?)');
        args.push(code);
      }
      if (since) {
        where.push('at >= ?');
        args.push(since);
      }
      if (until) {
        where.push('at < ?');
        args.push(until);
      }
      if (beforeId) {
        where.push('id < ?');
        args.push(beforeId);
      }
      const sql = `SELECT * FROM audit_refusals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      return db
        .prepare(sql)
        .all(...args, limit)
        .map((r) => ({ ...r, codes: JSON.parse(r.codes) }));
    },
  };
}
