// The channel of a 'held' delivery row: no transport was configured when it was made.
export const CHANNEL_NONE = 'none';
