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
 * An author as "Name (@handle)", each part isolated apart; on a platform that names people rather
 * than giving them handles (a Facebook commenter), the name alone.
 */
export function AuthorName({
  name,
  handle,
  platform,
}: {
  name: string;
  handle: string;
  platform?: string;
}): string {
  if (platform !== undefined && namesPeople(platform)) return PublicText({ text: name });
  // A name that is the @handle itself (YouTube's display names are): once, not "@dave (@dave)".
  if (name === `@${handle}`) return PublicHandle({ handle });
  return `${PublicText({ text: name })} (@${PublicText({ text: handle })})`;
}

/** Whether a platform knows people by name, not by @handle (its profile names its accounts so). */
export function namesPeople(platform: string): boolean {
  return isPlatformName(platform) && platformProfile(platform).accountName === 'name';
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
