import http from 'node:http';
import https from 'node:https';
import { type IClientSettings, type ITwitterApiClientPlugin, TwitterApi } from 'twitter-api-v2';

// twitter-api-v2 has no base-URL option and builds absolute URLs for api.x.com, api.twitter.com
// and upload.x.com. In sandbox mode one plugin rewrites every computed URL (after the library has
// applied path parameters and query) to the sandbox origin; the library sends with
// `https.request`, which accepts an http: URL only when the agent is an http.Agent, hence
// `httpAgent`. Production passes no apiBaseUrl and gets no plugin.
export interface XClientFactory {
  settings: Partial<IClientSettings>;
  userClient(accessToken: string): TwitterApi;
  appClient(clientId: string, clientSecret?: string): TwitterApi;
  rewriteAuthorizeUrl(url: string): string;
  close(): void;
}

export function createXClientFactory(options: {
  apiBaseUrl?: string;
  authorizeBaseUrl?: string;
}): XClientFactory {
  const settings: Partial<IClientSettings> = {};
  let agent: http.Agent | undefined;
  if (options.apiBaseUrl !== undefined) {
    const base = new URL(options.apiBaseUrl);
    agent =
      base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    const rewrite: ITwitterApiClientPlugin = {
      onBeforeRequest({ computedParams }) {
        const url = computedParams.url;
        url.protocol = base.protocol;
        url.hostname = base.hostname;
        url.port = base.port;
      },
    };
    settings.plugins = [rewrite];
    settings.httpAgent = agent;
  }
  const authorizeBase = options.authorizeBaseUrl ?? options.apiBaseUrl;
  return {
    settings,
    userClient: (accessToken) => new TwitterApi(accessToken, settings),
    appClient: (clientId, clientSecret) =>
      new TwitterApi(clientSecret === undefined ? { clientId } : { clientId, clientSecret }, settings),
    rewriteAuthorizeUrl(url) {
      if (authorizeBase === undefined) return url;
      const target = new URL(url);
      const base = new URL(authorizeBase);
      target.protocol = base.protocol;
      target.hostname = base.hostname;
      target.port = base.port;
      return target.toString();
    },
    close() {
      agent?.destroy();
    },
  };
}
