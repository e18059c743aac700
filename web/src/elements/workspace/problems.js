// How a failed request reads for staff: one ApiError `kind` -> {kind, message, detail, actions}.
// The server's own conflict text says who but not when (in the reader's time zone) nor what the
// order is now, so a 409 is told as who changed the order, when, and what it is now.

/**
 * @param {object} err  an ApiError (`kind`, `message`, `errors`, `order`, `changedBy`, `changedAt`, `retryAfter`)
 * @param {{onRetry?: boolean, onRefresh?: boolean, change?: boolean}} offer  which actions the place showing it can take;
 *   `change`: the request was a status change (a lost one is kept and retried), else a read
 * @param {{t: Function, date: Function, rules: object, sessionExpired: Function}} ctx
 */
export function describeProblem(err, { onRetry, onRefresh, change } = {}, { t, date, rules, sessionExpired }) {
  const message = said(err, t);
  switch (err.kind) {
    case 'network':
      return {
        kind: 'error',
        message: change ? t('networkFailure') : message,
        actions: onRetry ? [{ id: 'retry', label: t('retry'), primary: true }] : [],
      };
    case 'conflict': {
      const o = err.order;
      const who = o?.updated_by_name ?? err.changedBy ?? o?.updated_by ?? '';
      return {
        kind: 'warning',
        message: t('changedByOther'),
        detail: t('changedBy', { who, when: date(err.changedAt ?? o?.updated_at), status: o ? rules.status(o.status).label : '' }),
        actions: onRefresh ? [{ id: 'refresh', label: t('refresh'), primary: true }] : [],
      };
    }
    case 'forbidden':
      return { kind: 'error', message: t('forbidden', { message }), detail: (err.errors ?? []).slice(1).map((e) => e.message) };
    case 'refused':
    case 'invalid_status':
    case 'bad_request':
    case 'not_found':
      return { kind: 'error', message, detail: (err.errors ?? []).slice(1).map((e) => e.message) };
    case 'unauthorized':
    case 'csrf':
      sessionExpired();
      return { kind: 'error', message: t('sessionEnded') };
    case 'rate_limited':
      return {
        kind: 'error',
        message: t('tooMany', { wait: err.retryAfter }),
        actions: onRetry ? [{ id: 'retry', label: t('retry') }] : [],
      };
    default:
      return { kind: 'error', message: t('serverFailed', { message }), actions: onRetry ? [{ id: 'retry', label: t('retry') }] : [] };
  }
}

/**
 * The sentence of an error or a bulk result: the server's own words as they came, ours (the
 * adapters' `messageKey`: an unreadable answer, an HTML error page, an order not in the list)
 * in the page's language.
 */
export function said(err, t) {
  return err?.messageKey ? t(err.messageKey, err.messageParams) : err?.message;
}
