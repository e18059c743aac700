// `orderflow/elements/of-history-timeline`: defines <of-history-timeline> only.
export { OfHistoryTimeline } from '../elements.js';
