// The session cache of web/server/auth.js (Sessions): a session looked up is taken as is for a
// while, and forgotten at once on a logout, on an event from another instance, and whenever the
// store says someone else wrote to it (generation()); expiry is checked on every use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sessions } from '../../web/server/auth.js';

function fakeStore() {
  const rows = new Map();
  const store = {
    finds: 0,
    gen: 1,
    async generation() {
      return store.gen;
    },
    sessions: {
      async create({ tokenHash, username, csrf, expiresAt }) {
        rows.set(tokenHash, { user: { username, display_name: username, roles: { cms: 'admin' }, stores: ['s1'] }, csrf, expiresAt });
      },
      async find(h) {
        store.finds += 1;
        return rows.get(h) ?? null;
      },
      async remove(h) {
        rows.delete(h);
      },
      async purgeExpired() {
        return 0;
      },
    },
    rows,
  };
  return store;
}

test('a session looked up is remembered: the store is asked once', async () => {
  const store = fakeStore();
  const sessions = new Sessions(store, { cacheMs: 60000 });
  const { token } = await sessions.create('ann');
  assert.equal((await sessions.resolve(token)).user.username, 'ann');
  assert.equal((await sessions.resolve(token)).user.username, 'ann');
  assert.equal(store.finds, 1);
  assert.equal(await sessions.resolve('made-up'), null);
  assert.equal(await sessions.resolve('made-up'), null);
  assert.equal(store.finds, 3, 'a token that is not a session is never remembered');
});

test('a logout forgets at once, here and through an event from another instance', async () => {
  const store = fakeStore();
  const sessions = new Sessions(store, { cacheMs: 60000 });
  const a = await sessions.create('ann');
  await sessions.resolve(a.token);
  await sessions.destroy(a.token);
  assert.equal(await sessions.resolve(a.token), null);

  const b = await sessions.create('bob');
  await sessions.resolve(b.token);
  const [h] = [...store.rows.keys()];
  store.rows.delete(h); // logged out through another instance...
  assert.ok(await sessions.resolve(b.token), 'still remembered until told');
  sessions.forget(h); // ...whose event arrives
  assert.equal(await sessions.resolve(b.token), null);
});

test('when someone else wrote to the store, everything is read again', async () => {
  const store = fakeStore();
  const sessions = new Sessions(store, { cacheMs: 60000 });
  const { token } = await sessions.create('ann');
  await sessions.resolve(token);
  const [row] = store.rows.values();
  row.user = { ...row.user, stores: ['s2'] }; // a user edited with a tool
  store.gen += 1;
  assert.deepEqual((await sessions.resolve(token)).user.stores, ['s2']);
  assert.equal(store.finds, 2);
});

test('an expired session is refused even while remembered; the time limit holds', async () => {
  const store = fakeStore();
  const sessions = new Sessions(store, { ttlMs: 40, cacheMs: 60000 });
  const { token } = await sessions.create('ann');
  assert.ok(await sessions.resolve(token));
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(await sessions.resolve(token), null);

  const quick = new Sessions(store, { cacheMs: 20 });
  const t2 = (await quick.create('bob')).token;
  await quick.resolve(t2);
  await new Promise((r) => setTimeout(r, 40));
  await quick.resolve(t2);
  assert.equal(store.finds, 3, 'read again after cacheMs');
});

test('cacheMs 0 (the PostgreSQL default): every request asks the store', async () => {
  const store = fakeStore();
  const sessions = new Sessions(store, { cacheMs: 0 });
  const { token } = await sessions.create('ann');
  await sessions.resolve(token);
  await sessions.resolve(token);
  assert.equal(store.finds, 2);
});
