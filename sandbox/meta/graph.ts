import { randomBytes } from 'node:crypto';
import type { PlatformShapes } from '../core/http.js';

// The Graph API's own shapes: error bodies, `fields=` selection, cursor paging and time stamps.

export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface GraphErrorInput {
  message: string;
  type?: 'OAuthException' | 'GraphMethodException' | 'FacebookApiException';
  code: number;
  subcode?: number;
  status?: number;
  transient?: boolean;
}

/** `{ error: { message, type, code, error_subcode?, fbtrace_id } }`, as Graph sends every error */
export function graphErrorBody(input: GraphErrorInput): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = {
    message: input.message,
    type: input.type ?? 'OAuthException',
    code: input.code,
  };
  if (input.subcode !== undefined) error.error_subcode = input.subcode;
  if (input.transient !== undefined) error.is_transient = input.transient;
  error.fbtrace_id = randomBytes(8).toString('base64url').slice(0, 11);
  return { error };
}

export function graphError(input: GraphErrorInput): ApiReply {
  const reply: ApiReply = { status: input.status ?? 400, body: graphErrorBody(input) };
  if (input.code === 190 || input.code === 102) {
    reply.headers = {
      'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${input.message.replace(/"/g, "'")}"`,
    };
  }
  return reply;
}

/** thrown by a handler to answer a Graph error */
export class GraphFailure extends Error {
  constructor(readonly reply: ApiReply) {
    super('graph error');
  }
}

export const fail = (input: GraphErrorInput): never => {
  throw new GraphFailure(graphError(input));
};

const EXPIRED_WORDING = (at: Date) =>
  `Error validating access token: Session has expired on ${at.toUTCString().replace('GMT', 'UTC')}. The current time is ${new Date().toUTCString().replace('GMT', 'UTC')}.`;

/** the wording Graph uses for each subcode of error 190 */
export function tokenErrorMessage(subcode: number | undefined, expiredAt?: Date): string {
  switch (subcode) {
    case 458:
      return 'Error validating access token: The user has not authorized application.';
    case 460:
      return 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.';
    case 463:
      return EXPIRED_WORDING(expiredAt ?? new Date(0));
    case 464:
      return 'Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.';
    case 467:
      return 'Error validating access token: The session is invalid because the user logged out.';
    default:
      return 'Invalid OAuth access token - Cannot parse access token';
  }
}

export const errors = {
  noToken: () =>
    graphError({
      message: 'An active access token must be used to query information about the current user.',
      code: 2500,
    }),
  badToken: (subcode?: number, expiredAt?: Date) =>
    graphError({
      message: tokenErrorMessage(subcode, expiredAt),
      code: 190,
      ...(subcode === undefined ? {} : { subcode }),
    }),
  unknownObject: (method: string, id: string) =>
    graphError({
      message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: 'GraphMethodException',
      code: 100,
      subcode: 33,
    }),
  nonexistingField: (field: string, nodeType: string) =>
    graphError({
      message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
      code: 100,
    }),
  unknownPath: (path: string) => graphError({ message: `Unknown path components: ${path}`, code: 2500 }),
  param: (message: string) => graphError({ message: `(#100) ${message}`, code: 100 }),
  readPermission: (permission: string) =>
    graphError({
      message: `(#10) This endpoint requires the '${permission}' permission or the 'Page Public Content Access' feature.`,
      code: 10,
      status: 403,
    }),
  writePermission: (permission: string) =>
    graphError({
      message: `(#200) Requires ${permission} permission to manage the object`,
      code: 200,
      status: 403,
    }),
  pageTokenRequired: () =>
    graphError({ message: '(#210) A page access token is required to request this resource.', code: 210 }),
  appSecretProof: () =>
    graphError({
      message: 'Invalid appsecret_proof provided in the API argument',
      code: 100,
      type: 'GraphMethodException',
    }),
  appSecretProofMissing: () =>
    graphError({
      message: 'API calls from the server require an appsecret_proof argument',
      code: 100,
      type: 'GraphMethodException',
    }),
  appLimit: () =>
    graphError({ message: '(#4) Application request limit reached', code: 4, status: 403, transient: true }),
  userLimit: () =>
    graphError({ message: '(#17) User request limit reached', code: 17, status: 403, transient: true }),
  pageLimit: () =>
    graphError({ message: '(#32) Page request limit reached', code: 32, status: 403, transient: true }),
  unknown: (status = 500) =>
    graphError({ message: 'An unknown error occurred', code: 1, subcode: 99, status, transient: true }),
  unavailable: (status = 503) =>
    graphError({
      message: 'An unexpected error has occurred. Please retry your request later.',
      code: 2,
      status,
      transient: true,
    }),
};

/** what the sandbox host answers for Meta when no route does: faults, unknown paths, huge bodies */
export const metaShapes: PlatformShapes = {
  unavailable: (status) => (status === 500 ? errors.unknown(status).body : errors.unavailable(status).body),
  tooManyRequests: () => errors.appLimit().body,
  tooManyRequestsStatus: 403,
  rateLimitHeaders: () => ({
    'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 100, total_time: 100 }),
  }),
  routeNotFound: () => graphError({ message: 'Unknown path components', code: 2500 }).body,
  routeNotFoundStatus: 400,
  payloadTooLarge: () =>
    graphError({ message: '(#1) Request payload is too large', code: 1, status: 413 }).body,
};

// ---- fields= -------------------------------------------------------------------------------

export interface FieldSel {
  name: string;
  /** `.limit(5)`, `.summary(true)`, `.filter(stream)` … */
  modifiers: Record<string, string>;
  /** the `{…}` sub-selection, null when none was given */
  children: FieldSel[] | null;
}

/** parses `id,message,from{id,name},comments.limit(5){id,parent{id}}` */
export function parseFields(text: string): FieldSel[] {
  let at = 0;
  const bad = (): never =>
    fail({
      message: `(#100) Syntax error "Expected end of string instead of "${text.slice(at, at + 10)}"." at character ${at}: ${text}`,
      code: 100,
    });

  function name(): string {
    const match = /^\s*([A-Za-z0-9_]+)\s*/.exec(text.slice(at));
    if (!match) return bad();
    at += match[0].length;
    return match[1]!;
  }

  function list(depth: number): FieldSel[] {
    if (depth > 6) bad();
    const out: FieldSel[] = [];
    for (;;) {
      const sel: FieldSel = { name: name(), modifiers: {}, children: null };
      while (text[at] === '.') {
        at += 1;
        const key = name();
        if (text[at] !== '(') bad();
        const close = text.indexOf(')', at);
        if (close < 0) bad();
        sel.modifiers[key] = text.slice(at + 1, close).trim();
        at = close + 1;
        while (text[at] === ' ') at += 1;
      }
      if (text[at] === '{') {
        at += 1;
        sel.children = list(depth + 1);
        if (text[at] !== '}') bad();
        at += 1;
        while (text[at] === ' ') at += 1;
      }
      out.push(sel);
      if (text[at] === ',') {
        at += 1;
        continue;
      }
      return out;
    }
  }

  if (text.trim() === '') return [];
  const result = list(0);
  if (at !== text.length) bad();
  return result;
}

// ---- paging --------------------------------------------------------------------------------

export function encodeCursor(id: string): string {
  return Buffer.from(`hm:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): string | null {
  const decoded = Buffer.from(cursor, 'base64url').toString();
  return decoded.startsWith('hm:') ? decoded.slice(3) : null;
}

export interface PageParams {
  limit: number;
  after?: string;
  before?: string;
}

/** `limit` (default 25, at most 100), `after` / `before` cursors */
export function pageParams(get: (key: string) => string | undefined, fallback = 25): PageParams {
  const raw = get('limit');
  let limit = fallback;
  if (raw !== undefined) {
    if (!/^\d{1,9}$/.test(raw))
      fail({ message: '(#100) Param limit must be a non-negative integer', code: 100 });
    limit = Math.min(100, Number(raw));
  }
  const out: PageParams = { limit };
  for (const key of ['after', 'before'] as const) {
    const cursor = get(key);
    if (cursor === undefined) continue;
    const id = decodeCursor(cursor);
    if (id === null) fail({ message: `(#100) The ${key} cursor is not valid`, code: 100 });
    out[key] = id!;
  }
  return out;
}

/**
 * One page of `items` (already in the edge's order): `{ data, paging: { cursors, next?, previous? } }`.
 * `link(extra)` makes the absolute URL of the same request with other cursor parameters.
 */
export function pageOf<T extends { id: string }>(
  items: readonly T[],
  params: PageParams,
  render: (item: T) => Record<string, unknown>,
  link: (cursor: { after?: string; before?: string }) => string,
): { data: Record<string, unknown>[]; paging?: Record<string, unknown> } {
  let start = 0;
  let end = items.length;
  if (params.after !== undefined) {
    const index = items.findIndex((i) => i.id === params.after);
    start = index < 0 ? items.length : index + 1;
  }
  if (params.before !== undefined) {
    const index = items.findIndex((i) => i.id === params.before);
    end = Math.max(0, index);
    start = Math.max(start, end - params.limit);
  }
  const slice = items.slice(start, Math.min(end, start + params.limit));
  if (slice.length === 0) return { data: [] };
  const before = encodeCursor(slice[0]!.id);
  const after = encodeCursor(slice[slice.length - 1]!.id);
  const paging: Record<string, unknown> = { cursors: { before, after } };
  if (start + slice.length < items.length) paging.next = link({ after });
  if (start > 0) paging.previous = link({ before });
  return { data: slice.map(render), paging };
}

// ---- time ----------------------------------------------------------------------------------

/** Graph's time format: 2024-05-01T10:00:00+0000 */
export function graphTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** `since` / `until`: unix seconds or a date string, as Graph reads them; null when unreadable */
export function parseGraphTime(value: string): number | null {
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(at) ? null : at;
}

/** Graph's usual wording and HTTP status for an error code, for faults a test switches on */
export function knownError(code: number, subcode?: number): GraphErrorInput {
  const withSub = subcode === undefined ? {} : { subcode };
  switch (code) {
    case 1:
      return { message: 'An unknown error occurred', code, status: 500, transient: true, ...withSub };
    case 2:
      return {
        message: 'An unexpected error has occurred. Please retry your request later.',
        code,
        status: 503,
        transient: true,
        ...withSub,
      };
    case 4:
      return {
        message: '(#4) Application request limit reached',
        code,
        status: 403,
        transient: true,
        ...withSub,
      };
    case 17:
      return { message: '(#17) User request limit reached', code, status: 403, transient: true, ...withSub };
    case 32:
      return { message: '(#32) Page request limit reached', code, status: 403, transient: true, ...withSub };
    case 613:
      return {
        message: '(#613) Calls to this api have exceeded the rate limit.',
        code,
        status: 400,
        transient: true,
        ...withSub,
      };
    case 190:
      return { message: tokenErrorMessage(subcode), code, status: 400, ...withSub };
    case 368:
      return {
        message: '(#368) The action attempted has been deemed abusive or is otherwise disallowed',
        code,
        status: 400,
        ...withSub,
      };
    case 10:
      return {
        message: '(#10) Application does not have permission for this action',
        code,
        status: 403,
        ...withSub,
      };
    case 200:
      return { message: '(#200) Permissions error', code, status: 403, ...withSub };
    default:
      return { message: `(#${code}) Sandbox fault`, code, status: 400, ...withSub };
  }
}
