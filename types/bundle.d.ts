// Types of `orderflow/elements/bundle` (dist/orderflow-elements.js): what `orderflow/elements`
// exports, without the classes of the elements the bundle loads on first use (OfOrderDetail,
// OfHistoryTimeline, OfWorkflowDiagram, OfBulkDialog; their tags are defined by then, or after
// `await loadAllElements()`).
export * from './adapter.js';
export {
  PageActor,
  Rules,
  loadFlow,
  rulesFor,
  MessageFormat,
  Message,
  Messages,
  defineMessages,
  overrideMessages,
  english,
  loadAllElements,
  RowControls,
  ListColumn,
  AlertAction,
  Problem,
  OfStatusBadge,
  OfStatusDropdown,
  OfAlert,
  OfConfirmDialog,
  OfOrderList,
  OfOrderWorkspace,
  OrderflowEvents,
} from './elements.js';
