// Where the workspace's rules come from when the page does not build them itself: the workflow
// the page names (a built-in id such as "delivery", or a document), else the API's workflow
// endpoint; the actor (role, stores) always from the page, since a CMS's API need not have a
// session endpoint.
import { loadFlow, Rules } from './rules.js';
import { message } from './i18n/index.js';

// A set-up mistake of the page, told in English here and in the page's language by the workspace.
function setupError(messageKey) {
  return Object.assign(new TypeError(message('en', messageKey)), { messageKey });
}

/**
 * @param {{adapter?: {workflow?: () => Promise<object>}, workflow?: string|object|null, actor?: {role: string, stores?: Array<string|number>}}} o
 * @returns {Promise<Rules>}
 */
export async function rulesFor({ adapter, workflow, actor }) {
  if (!actor || typeof actor.role !== 'string' || !actor.role) {
    throw setupError('setupNoActor');
  }
  let source = workflow;
  if (source === undefined || source === null || source === '') {
    if (typeof adapter?.workflow !== 'function') {
      throw setupError('setupNoWorkflow');
    }
    source = await adapter.workflow();
  }
  const flow = await loadFlow();
  return new Rules(flow.workflow(source), { role: actor.role, stores: actor.stores ?? [] });
}
