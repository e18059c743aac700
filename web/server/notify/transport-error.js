// A failed delivery attempt: `retryable` says whether another attempt may succeed (network error,
// timeout, 5xx, 408/429, SMTP 4xx) or not (other 4xx, SMTP 5xx: the receiver said no for good).
export class DeliveryError extends Error {
  constructor(message, { retryable }) {
    super(message);
    this.retryable = retryable;
  }
}
