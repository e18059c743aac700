// The state <of-order-workspace> starts from (and returns to when its adapter or rules change),
// shared by its controllers. One shape for the element and for the stand-in host of
// tests/node/ui-controllers.test.js, so a new state key is added here once.
export function initialState() {
  return {
    orders: [],
    total: 0,
    page: 1,
    filters: {},
    loading: false,
    selected: new Set(), // fresh Sets each time: a state is replaced, never mutated
    busyIds: new Set(),
    alerts: [],
    confirm: null,
    detail: null,
    bulk: null,
  };
}
