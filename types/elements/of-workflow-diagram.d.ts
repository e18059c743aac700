// `orderflow/elements/of-workflow-diagram`: defines <of-workflow-diagram> only.
export { OfWorkflowDiagram } from '../elements.js';
