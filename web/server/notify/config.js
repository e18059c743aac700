// Environment of the notification dispatcher, the audit trail and bulk jobs (issue 13). Read once
// at start; see README.md "Notifications" and docs/rest-api.md for what each variable does.

function intVar(env, name, def, min) {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

export function readExtrasConfig(env = process.env) {
  const webhookUrl = env.ORDERFLOW_NOTIFY_WEBHOOK_URL || null;
  const webhookSecret = env.ORDERFLOW_NOTIFY_WEBHOOK_SECRET || null;
  if (webhookUrl) {
    let u;
    try {
      u = new URL(webhookUrl);
    } catch {
      throw new Error(`ORDERFLOW_NOTIFY_WEBHOOK_URL is not a URL: "${webhookUrl}"`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('ORDERFLOW_NOTIFY_WEBHOOK_URL must be http(s)');
    if (!webhookSecret)
      throw new Error('ORDERFLOW_NOTIFY_WEBHOOK_URL is set but ORDERFLOW_NOTIFY_WEBHOOK_SECRET is not (a "whsec_<base64>" secret)');
  }
  const smtpUrl = env.ORDERFLOW_SMTP_URL || null;
  return {
    webhook: webhookUrl ? { url: webhookUrl, secret: webhookSecret } : null,
    smtp: smtpUrl
      ? {
          url: smtpUrl,
          from: env.ORDERFLOW_NOTIFY_EMAIL_FROM || 'orderflow@localhost',
          to: env.ORDERFLOW_NOTIFY_EMAIL_TO || 'customer-notifications@localhost',
        }
      : null,
    retryBaseMs: intVar(env, 'ORDERFLOW_NOTIFY_RETRY_BASE_MS', 2000, 1),
    retryMaxMs: intVar(env, 'ORDERFLOW_NOTIFY_RETRY_MAX_MS', 15 * 60 * 1000, 1),
    maxAttempts: intVar(env, 'ORDERFLOW_NOTIFY_MAX_ATTEMPTS', 8, 1),
    timeoutMs: intVar(env, 'ORDERFLOW_NOTIFY_TIMEOUT_MS', 10000, 10),
    leaseMs: intVar(env, 'ORDERFLOW_NOTIFY_LEASE_MS', 60000, 100),
    pollMs: intVar(env, 'ORDERFLOW_NOTIFY_POLL_MS', 250, 10),
    concurrency: intVar(env, 'ORDERFLOW_NOTIFY_CONCURRENCY', 8, 1),
    // An open batch (a bulk whose process died before closing it) is closed and sent after this.
    batchCloseMs: intVar(env, 'ORDERFLOW_NOTIFY_BATCH_CLOSE_MS', 10 * 60 * 1000, 0),
    auditMaxRows: intVar(env, 'ORDERFLOW_AUDIT_MAX_ROWS', 100000, 10),
    auditMaxRowsPerUser: intVar(env, 'ORDERFLOW_AUDIT_MAX_ROWS_PER_USER', null, 1), // null: a tenth of the above (audit.js)
    jobMaxActive: intVar(env, 'ORDERFLOW_JOB_MAX_ACTIVE', 3, 1),
    jobRetentionMs: intVar(env, 'ORDERFLOW_JOB_RETENTION_MS', 24 * 3600 * 1000, 0),
    jobLeaseMs: intVar(env, 'ORDERFLOW_JOB_LEASE_MS', 15000, 100),
    adminRole: env.ORDERFLOW_ADMIN_ROLE || 'admin',
    jobThreshold: intVar(env, 'ORDERFLOW_BULK_JOB_THRESHOLD', 500, 1),
    jobMaxOrders: intVar(env, 'ORDERFLOW_BULK_JOB_MAX', 20000, 1),
  };
}
