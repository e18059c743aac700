// The event hub: every committed order change is published here and reaches the subscribers (the
// server-sent event streams, http/sse.js). Interface: publish(event) → Promise|void, subscribe(fn)
// → unsubscribe(). This in-process hub reaches the streams of this process only; with several
// instances on one PostgreSQL database the pg hub (events/pg.js: LISTEN/NOTIFY) reaches all.
export function createInProcessHub() {
  const subscribers = new Set();
  return {
    publish(event) {
      for (const fn of subscribers) {
        try {
          fn(event);
        } catch (e) {
          console.error('orderflow events: a subscriber failed', e);
        }
      }
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    async close() {
      subscribers.clear();
    },
  };
}

// The hub for this store: in-process on SQLite (one machine, and the instances sharing a SQLite
// file are on it: they see each other's changes on their next read, not on their streams); on
// PostgreSQL the LISTEN/NOTIFY hub of events/pg.js (`createPgHub({store, config})`), so a change
// made through one instance reaches the event streams of every instance.
export async function openEventHub({ store, config }) {
  if (store.kind !== 'postgres') return createInProcessHub();
  const { createPgHub } = await import('./pg.js');
  return createPgHub({ store, config });
}
