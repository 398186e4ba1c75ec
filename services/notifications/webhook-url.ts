import { invalidInput } from '../core/service-error.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * An incoming-webhook URL: https, or http to this machine only (a local relay, tests). The URL is
 * a secret (whoever holds it can post to the channel), so errors never repeat it.
 */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalidInput('url: not a valid URL');
  }
  const local = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !local) throw invalidInput('url: must start with https://');
  if (url.username || url.password) throw invalidInput('url: must not carry a user name or password');
  return url;
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
