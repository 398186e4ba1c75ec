// oidc-provider ships no types; the SSO test drives it as a black box over HTTP.
declare module 'oidc-provider';
