// WorkflowView.visibleStores remembers the engine's answer per role and store list (every request
// asks it): users who share a role but not their stores must still get their own answers, each
// the engine's, however the calls interleave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOrderFlow } from 'orderflow';
import { WorkflowView } from '../../web/server/services/orders.js';

test('visibleStores: same role, different stores, interleaved: each user gets the engine answer for their own', async () => {
  const flow = await createOrderFlow();
  const wf = flow.workflow('cms');
  const view = new WorkflowView(wf, 'cms', flow.errorCodes);
  const users = [
    { roles: { cms: 'store_manager' }, stores: ['s1'] },
    { roles: { cms: 'store_manager' }, stores: ['s2'] },
    { roles: { cms: 'store_manager' }, stores: ['s1', 's2'] },
    { roles: { cms: 'admin' }, stores: ['s1'] },
    { roles: { cms: null }, stores: ['s1'] },
    { roles: { delivery: 'driver' }, stores: ['s1'] },
  ];
  const engine = (u) => {
    if (!u.roles.cms) return null;
    const scope = wf.visibleStores({ role: u.roles.cms, stores: u.stores });
    return scope.all ? 'all' : scope.stores;
  };
  assert.deepEqual(engine(users[0]), ['s1'], 'a store manager sees their own stores (the premise of this test)');
  for (let round = 0; round < 3; round++) {
    for (const u of round % 2 ? [...users].reverse() : users) assert.deepEqual(view.visibleStores(u), engine(u), JSON.stringify(u));
  }
  assert.notDeepEqual(view.visibleStores(users[0]), view.visibleStores(users[1]));
});
