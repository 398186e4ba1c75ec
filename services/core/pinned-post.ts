import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export type PinnedPostResult =
  | { ok: true; status: number }
  | {
      ok: false;
      timedOut: boolean;
      /** Socket-level detail (ECONNREFUSED…), for the debug log only. */
      detail: string;
    };

/**
 * POSTs JSON to `url`, connecting to `address` (already checked) whatever the URL's host name
 * resolves to by now; TLS still verifies the certificate against the host name. Redirects are not
 * followed: a 3xx is an answer like any other. No connection is reused, so none made for an
 * earlier, different answer can carry this request.
 */
export function pinnedPost(
  url: URL,
  target: { address: string; family: 4 | 6 },
  body: unknown,
  options: { timeoutMs: number },
): Promise<PinnedPostResult> {
  const payload = Buffer.from(JSON.stringify(body));
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const signal = AbortSignal.timeout(options.timeoutMs);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        lookup,
        agent: false,
        signal,
      },
      (response) => {
        response.resume();
        response.on('error', () => {});
        resolve({ ok: true, status: response.statusCode ?? 0 });
        response.destroy();
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      resolve({
        ok: false,
        timedOut: signal.aborted,
        detail: signal.aborted ? 'timed out' : (error.code ?? error.message),
      });
    });
    request.end(payload);
  });
}
