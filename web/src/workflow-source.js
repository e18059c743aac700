// Where the workspace's rules come from when the page does not build them itself: the workflow
// the page names (a built-in id such as "delivery", or a document), else the API's workflow
// endpoint; the actor (role, stores) always from the page, since a CMS's API need not have a
// session endpoint.
import { loadFlow, Rules } from './rules.js';

/**
 * @param {{adapter?: {workflow?: () => Promise<object>}, workflow?: string|object|null, actor?: {role: string, stores?: Array<string|number>}}} o
 * @returns {Promise<Rules>}
 */
export async function rulesFor({ adapter, workflow, actor }) {
  if (!actor || typeof actor.role !== 'string' || !actor.role) {
    throw new TypeError('No actor: give the workspace the signed-in user\'s role and stores (actor = {role, stores}).');
  }
  let source = workflow;
  if (source === undefined || source === null || source === '') {
    if (typeof adapter?.workflow !== 'function') {
      throw new TypeError('This API has no workflow endpoint: name a built-in workflow (workflow="cms" or "delivery") or pass a workflow document.');
    }
    source = await adapter.workflow();
  }
  const flow = await loadFlow();
  return new Rules(flow.workflow(source), { role: actor.role, stores: actor.stores ?? [] });
}
