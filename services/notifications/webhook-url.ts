import { type OutboundPolicy, resolveOutbound } from '../core/outbound-address.js';

export type WebhookTarget =
  | { ok: true; url: URL; address: string; family: 4 | 6 }
  /** refused: the URL may never be used as it is; otherwise its host could not be found now. */
  | { ok: false; refused: boolean; why: string };

/**
 * Checks an incoming-webhook URL before it is saved and again before every post: https (plain http
 * only to a host in WEBHOOK_ALLOWED_HOSTS), no user name or password, and a host whose every
 * address is public (or allow-listed). The URL is a secret (whoever holds it can post to the
 * channel), so no reason repeats it.
 */
export async function checkWebhookUrl(raw: string, policy: OutboundPolicy): Promise<WebhookTarget> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, refused: true, why: 'not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, refused: true, why: 'must start with https://' };
  if (url.username || url.password)
    return { ok: false, refused: true, why: 'must not carry a user name or password' };
  const resolved = await resolveOutbound(url, policy);
  if (!resolved.ok && resolved.notFound)
    return { ok: false, refused: false, why: 'its host name could not be found' };
  if (!resolved.ok)
    return {
      ok: false,
      refused: true,
      why: `not allowed: its host is ${resolved.reason}; a webhook must be on the internet, not on this installation's own network`,
    };
  if (url.protocol === 'http:' && !resolved.allowListed)
    return {
      ok: false,
      refused: true,
      why: 'must start with https:// (plain http:// only to a host the installation allows in WEBHOOK_ALLOWED_HOSTS)',
    };
  return { ok: true, url, address: resolved.address, family: resolved.family };
}

/** Enough to recognise a webhook, not enough to use it: the host and the last four characters. */
export function maskWebhookUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const tail = `${url.pathname}${url.search}`.replace(/\/$/, '').slice(-4);
    return `${url.protocol}//${url.host}/…${tail}`;
  } catch {
    return '…';
  }
}
