import type { MediaApprovers } from '../../accounts/conduct-settings.js';
import { approverNames } from '../../accounts/conduct-settings.js';
import { PublicText } from './public-text.js';

/**
 * A media enquiry's approvers on a page: "Ann Head (headteacher) or Bob Deputy", each name (typed
 * by staff, so as hostile as public text) escaped and isolated in its own `<bdi>`.
 */
export function ApproverNames({
  approvers,
}: {
  approvers: Pick<MediaApprovers, 'headteacher' | 'deputies'>;
}): string {
  return approverNames(approvers, (text) => PublicText({ text }));
}
