// The audit trail of refused change attempts (SQLite): append-only, capped.

export function auditRepo(db) {
  const q = {
    insert: db.prepare(`INSERT INTO audit_refusals (at, username, workflow, order_id, target_status, http_status, codes, source)
                        VALUES (@at, @username, @workflow, @order_id, @target_status, @http_status, @codes, @source)`),
    count: db.prepare('SELECT COUNT(*) FROM audit_refusals').pluck(),
    trim: db.prepare('DELETE FROM audit_refusals WHERE id <= (SELECT id FROM audit_refusals ORDER BY id DESC LIMIT 1 OFFSET ?)'),
    // One user's rows older than their newest n (index audit_by_user).
    trimUser: db.prepare(`DELETE FROM audit_refusals WHERE username = ? AND id <=
                          (SELECT id FROM audit_refusals WHERE username = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`),
  };
  return {
    // rows: [{at, username, workflow, order_id, target_status, http_status, codes: [..], source}].
    append(rows) {
      for (const r of rows) q.insert.run({ ...r, codes: JSON.stringify(r.codes) });
    },
    // Keeps this user's newest maxRows rows -> rows deleted.
    trimUser(username, maxRows) {
      return q.trimUser.run(username, username, maxRows).changes;
    },
    // Keeps the newest maxRows rows -> rows deleted. COUNT(*) first: SQLite counts a table by its
    // pages (about 0.05 ms at 100,000 rows), the OFFSET walk (about 0.5 ms) only when over.
    trim(maxRows) {
      return q.count.get() > maxRows ? q.trim.run(maxRows).changes : 0;
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
