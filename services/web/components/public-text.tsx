import { isolateHtml } from '../../core/bidi-isolation.js';
import { isPlatformName, platformProfile } from '../../platforms/platform-profiles.js';

/**
 * Text from outside the school (a comment, its author's name and handle, a platform's message)
 * goes on a page only through here: escaped, and isolated in its own `<bdi>`, so a right-to-left
 * override (U+202E) or an isolate it leaves open cannot reorder the words around it ("Eve
 * (@eve)" read back to front). One piece of text per `<bdi>`: a name and a handle are isolated
 * apart, so one cannot turn the other round.
 */
export function PublicText({ text }: { text: string }): string {
  return isolateHtml(text);
}

/**
 * An author as "Name (@handle)", each part isolated apart; a platform without handles (a Facebook
 * commenter is known by name only, so the adapter gives the name as the handle) shows the name alone.
 */
export function AuthorName({ name, handle }: { name: string; handle: string }): string {
  if (handle === name) return PublicText({ text: name });
  return `${PublicText({ text: name })} (@${PublicText({ text: handle })})`;
}

/** A handle as "@handle", the handle isolated. */
export function PublicHandle({ handle }: { handle: string }): string {
  return `@${PublicText({ text: handle })}`;
}

/** A monitored account as its platform names it: "@handle", or a Facebook Page's name, isolated. */
export function AccountName({ platform, handle }: { platform: string; handle: string }): string {
  return isPlatformName(platform) && platformProfile(platform).accountName === 'name'
    ? PublicText({ text: handle })
    : PublicHandle({ handle });
}
