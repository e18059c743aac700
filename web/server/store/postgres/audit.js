// The audit trail of refused change attempts (PostgreSQL): append-only, capped; same methods and
// answers as store/sqlite/audit.js.
import { statement, hasNul } from './pool.js';

const S = {
  trim: statement('DELETE FROM audit_refusals WHERE id <= (SELECT id FROM audit_refusals ORDER BY id DESC LIMIT 1 OFFSET $1)'),
  // One user's rows older than their newest n (index audit_by_user).
  trimUser: statement(`DELETE FROM audit_refusals WHERE username = $1 AND id <=
    (SELECT id FROM audit_refusals WHERE username = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`),
};
const COLUMNS = ['at', 'username', 'workflow', 'order_id', 'target_status', 'http_status', 'codes', 'source'];
// PostgreSQL text cannot hold U+0000, which a refused request's status may carry ("processing\0"):
// the trail records it as U+FFFD (the replacement character) rather than losing the row.
const text = (v) => (typeof v === 'string' ? v.replaceAll('\u0000', '\uFFFD') : v);

export function auditRepo(x) {
  return {
    // rows: [{at, username, workflow, order_id, target_status, http_status, codes: [..], source}].
    // One multi-row INSERT per call (a flush is up to 100 rows).
    async append(rows) {
      if (rows.length) {
        const values = [];
        const tuples = rows.map((r) => {
          const start = values.length;
          values.push(
            text(r.at),
            text(r.username),
            text(r.workflow),
            r.order_id,
            text(r.target_status),
            r.http_status,
            text(JSON.stringify(r.codes)),
            text(r.source),
          );
          return `(${COLUMNS.map((_, i) => `$${start + i + 1}`).join(', ')})`;
        });
        await x.run(`INSERT INTO audit_refusals (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
      }
    },
    // Keeps this user's newest maxRows rows -> rows deleted.
    async trimUser(username, maxRows) {
      return x.run(S.trimUser, [text(username), maxRows]);
    },
    // Keeps the newest maxRows rows -> rows deleted (an index walk of maxRows entries: the caller
    // asks at most once a second, audit.js).
    async trim(maxRows) {
      return x.run(S.trim, [maxRows]);
    },
    // Newest first. filter: {username, orderId, code, since, until (ISO), beforeId, limit}.
    async list({ username, orderId, code, since, until, beforeId, limit }) {
      if ([username, code, since, until].some(hasNul) || (orderId && !Number.isSafeInteger(orderId))) return [];
      const where = [];
      const args = [];
      const arg = (v) => {
        args.push(v);
        return `$${args.length}`;
      };
      if (username) where.push(`username = ${arg(username)}`);
      if (orderId) where.push(`order_id = ${arg(orderId)}`);
      if (code) where.push(`codes::jsonb ? ${arg(code)}`);
      if (since) where.push(`at >= ${arg(since)}`);
      if (until) where.push(`at < ${arg(until)}`);
      if (beforeId) where.push(`id < ${arg(beforeId)}`);
      const sql = `SELECT * FROM audit_refusals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${arg(limit)}`;
      return (await x.all(sql, args)).map((r) => ({ ...r, codes: JSON.parse(r.codes) }));
    },
  };
}
