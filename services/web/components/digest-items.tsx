import type { NotificationItemView } from '../../notifications/list-notifications.js';
import { AuthorName, PublicText } from './public-text.js';

/**
 * The comments a digest notification lists (batched flags): each comment's text, escaped and
 * direction-isolated, already cut to a listing's length, with a link to act on it.
 */
export function DigestItems({ items }: { items: readonly NotificationItemView[] }): JSX.Element {
  if (items.length === 0) return '';
  return (
    <ol class="digest-items">
      {items.map((i) => (
        <li>
          {i.redacted ? (
            <em>Redacted under the retention policy</em>
          ) : (
            <>
              <AuthorName name={i.authorName} handle={i.authorHandle} platform={i.platform} />:{' '}
              <span class="comment-text">
                <PublicText text={i.text} />
              </span>
            </>
          )}{' '}
          <a href={`/comments/${i.commentId}`}>Open</a>
        </li>
      ))}
    </ol>
  );
}
