import { type ActionResult, assertCapable, type Capabilities, PlatformError } from '../adapter.js';
import type { GraphClient, GraphParams } from './meta-client.js';
import { isNotFound } from './meta-errors.js';
import { graphSuccess } from './meta-schemas.js';

export interface MetaCommentEndpoints {
  /** "Facebook", "Instagram": named in the refusal when a hide reads back unchanged */
  platformName: string;
  /** reads the comment's hidden flag back from the platform */
  readHidden(commentId: string): Promise<boolean>;
  /** the endpoint that hides or unhides, and its body (`is_hidden` on Facebook, `hide` on Instagram) */
  hideEndpoint: string;
  hideParams(hidden: boolean): GraphParams;
  deleteEndpoint: string;
}

/**
 * Hide, unhide and delete a comment, as both Meta platforms do them: Graph answers success for a
 * comment it cannot hide (the Page's own, some ads), so a hide is read back; a retried delete that
 * finds the comment gone has met its goal.
 */
export function metaCommentActions(client: GraphClient, capabilities: Capabilities, e: MetaCommentEndpoints) {
  async function setHidden(commentId: string, hidden: boolean): Promise<ActionResult> {
    assertCapable(capabilities, hidden ? 'hide' : 'unhide');
    await client.post(e.hideEndpoint, commentId, e.hideParams(hidden), graphSuccess);
    if ((await e.readHidden(commentId)) !== hidden) {
      throw new PlatformError(
        'permanent',
        `${e.hideEndpoint}: ${e.platformName} did not ${hidden ? 'hide' : 'unhide'} the comment`,
        { endpoint: e.hideEndpoint, reason: 'the comment reads back unchanged' },
      );
    }
    return { alreadyInState: false };
  }

  async function deleteObject(id: string, capability: 'delete' | 'deleteOwnPost'): Promise<ActionResult> {
    assertCapable(capabilities, capability);
    try {
      await client.delete(e.deleteEndpoint, id, {}, graphSuccess);
      return { alreadyInState: false };
    } catch (error) {
      if (isNotFound(error)) return { alreadyInState: true };
      throw error;
    }
  }

  return { setHidden, deleteObject };
}
