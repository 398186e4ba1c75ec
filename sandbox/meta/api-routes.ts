import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxFaults } from '../core/faults.js';
import { apiContext, FormBody, platformApi } from '../core/http.js';
import {
  type ApiReply,
  errors,
  type FieldSel,
  fail,
  type GraphErrorInput,
  GraphFailure,
  graphError,
  knownError,
  metaShapes,
  pageParams,
  parseFields,
} from './graph.js';
import {
  canManagePage,
  canReachIg,
  canReachMedia,
  commentNode,
  type EdgeList,
  igCommentNode,
  igMediaNode,
  igUserNode,
  listEdge,
  type NodeType,
  pageNode,
  personNode,
  postNode,
  type RenderContext,
  render,
  requireIg,
  requirePageToken,
} from './nodes.js';
import { accessToken, debugToken } from './oauth.js';
import type {
  FbComment,
  FbPost,
  IgActor,
  IgComment,
  IgMedia,
  MetaPage,
  MetaPerson,
  MetaState,
  MetaToken,
} from './state.js';
import type { MetaUsage } from './usage.js';

// The Graph API subset Hallmonitor uses, over the sandbox state, as a Fastify plugin registered
// under any version prefix (/v21.0, /v19.0 …). Graph addresses every object by id alone, so the
// routes are /{id}, /{id}/{edge}, and the handler works out what the id names.

/** Graph errors a test switches on: the next `count` matching requests answer this error */
export interface GraphErrorFault extends GraphErrorInput {
  count: number;
  /** an endpoint as the log names it ('POST /{comment-id}') or any part of the path */
  endpoint?: string;
}

export class MetaFaults {
  graphErrors: GraphErrorFault[] = [];
  /** Page ids whose writes answer error 368 (the Page is blocked from acting) */
  readonly actionBlocked = new Set<string>();
  /** reject calls without a correct appsecret_proof (an app with "Require App Secret" on) */
  requireAppSecretProof = false;

  /** the next `count` (default 1) matching calls answer Graph error `code`, worded as Graph words it */
  add(fault: {
    code: number;
    subcode?: number;
    count?: number;
    endpoint?: string;
    status?: number;
    message?: string;
  }): void {
    this.graphErrors.push({
      ...knownError(fault.code, fault.subcode),
      ...(fault.message === undefined ? {} : { message: fault.message }),
      ...(fault.status === undefined ? {} : { status: fault.status }),
      ...(fault.endpoint === undefined ? {} : { endpoint: fault.endpoint }),
      count: fault.count ?? 1,
    });
  }

  take(endpoint: string, path: string): ApiReply | null {
    const fault = this.graphErrors.find(
      (f) =>
        f.count > 0 && (f.endpoint === undefined || f.endpoint === endpoint || path.includes(f.endpoint)),
    );
    if (!fault) return null;
    fault.count -= 1;
    this.graphErrors = this.graphErrors.filter((f) => f.count > 0);
    return graphError(fault);
  }

  reset(): void {
    this.graphErrors = [];
    this.actionBlocked.clear();
    this.requireAppSecretProof = false;
  }
}

export interface MetaApiOptions {
  state: MetaState;
  faults: SandboxFaults;
  metaFaults: MetaFaults;
  usage: MetaUsage;
  now: () => number;
}

type Resolved =
  | { kind: 'person'; obj: MetaPerson }
  | { kind: 'page'; obj: MetaPage }
  | { kind: 'post'; obj: FbPost }
  | { kind: 'comment'; obj: FbComment }
  | { kind: 'ig_user'; obj: IgActor }
  | { kind: 'ig_media'; obj: IgMedia }
  | { kind: 'ig_comment'; obj: IgComment };

const LABEL: Record<Resolved['kind'], string> = {
  person: '{user-id}',
  page: '{page-id}',
  post: '{post-id}',
  comment: '{comment-id}',
  ig_user: '{ig-user-id}',
  ig_media: '{ig-media-id}',
  ig_comment: '{ig-comment-id}',
};

function resolve(state: MetaState, id: string, token: MetaToken): Resolved | null {
  if (id === 'me') {
    if (token.kind === 'page') {
      const page = state.pages.get(token.pageId ?? '');
      return page ? { kind: 'page', obj: page } : null;
    }
    const person = state.people.get(token.userId);
    return person ? { kind: 'person', obj: person } : null;
  }
  const person = state.people.get(id);
  if (person) return { kind: 'person', obj: person };
  const page = state.pages.get(id);
  if (page) return { kind: 'page', obj: page };
  const post = state.posts.get(id);
  if (post && !post.deleted) return { kind: 'post', obj: post };
  const comment = state.comment(id);
  if (comment) return { kind: 'comment', obj: comment };
  const actor = state.igActors.get(id);
  if (actor) return { kind: 'ig_user', obj: actor };
  const media = state.media.get(id);
  if (media && !media.deleted) return { kind: 'ig_media', obj: media };
  const igComment = state.igComment(id);
  if (igComment) return { kind: 'ig_comment', obj: igComment };
  return null;
}

/** query string and body fields together, as Graph reads a call's parameters */
function paramsOf(request: FastifyRequest, query: URLSearchParams): Map<string, string> {
  const params = new Map<string, string>(query);
  const body = request.body;
  const fields =
    body instanceof FormBody ? body.fields : body !== null && typeof body === 'object' ? body : {};
  for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
    if (typeof value === 'string') params.set(key, value);
    else if (typeof value === 'number' || typeof value === 'boolean') params.set(key, String(value));
  }
  return params;
}

function bool(value: string | undefined, name: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return fail({ message: `(#100) Param ${name} must be a boolean`, code: 100 });
}

function message(params: Map<string, string>): string {
  const text = params.get('message');
  if (text === undefined || text.trim() === '')
    return fail({ message: '(#100) Missing message or attachment', code: 100 });
  if (text.length > 8000)
    return fail({ message: '(#100) Param message must be at most 8000 characters long', code: 100 });
  return text;
}

function requireScope(rc: RenderContext, scope: string): void {
  if (!rc.token.scopes.includes(scope)) throw new GraphFailure(errors.writePermission(scope));
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** register with `prefix: '/:version(^v\\d+\\.\\d+$)'` */
export async function metaApi(api: FastifyInstance, options: MetaApiOptions): Promise<void> {
  const { state, usage, metaFaults } = options;
  platformApi(api, {
    faults: options.faults,
    log: state.requestLog,
    now: options.now,
    shapes: metaShapes,
    tokenUser: (bearer) => state.tokenRecord(bearer)?.userId ?? null,
    limitOf: () => usage.limits.app,
  });

  // Graph sends its usage header on every answer, errors and faults included.
  api.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('x-app-usage')) reply.headers(usage.peek(state.app.id));
    return payload;
  });

  // The OAuth token endpoint and the token inspector authenticate the app, not a user.
  api.get('/oauth/access_token', async (request, reply) => {
    const ctx = apiContext(request);
    ctx.entry.endpoint = 'GET /oauth/access_token';
    return send(reply, accessToken(state, ctx.query));
  });
  api.get('/debug_token', async (request, reply) => {
    const ctx = apiContext(request);
    ctx.entry.endpoint = 'GET /debug_token';
    return send(reply, debugToken(state, ctx.query, ctx.bearer));
  });

  const handler =
    (method: 'GET' | 'POST' | 'DELETE') => async (request: FastifyRequest, reply: FastifyReply) => {
      const ctx = apiContext(request);
      const { id, edge } = request.params as { version: string; id: string; edge?: string };
      const version = (request.params as { version: string }).version;
      const params = paramsOf(request, ctx.query);
      try {
        // 1. the token
        const raw = params.get('access_token') ?? ctx.bearer;
        if (raw === undefined || raw === '') throw new GraphFailure(errors.noToken());
        const token = state.tokenRecord(raw);
        if (!token) throw new GraphFailure(errors.badToken());
        ctx.entry.tokenUser = token.kind === 'page' ? token.pageId : token.userId;
        if (token.revokedSubcode !== null) throw new GraphFailure(errors.badToken(token.revokedSubcode));
        if (token.expiresAt !== 0 && token.expiresAt <= options.now()) {
          throw new GraphFailure(errors.badToken(463, new Date(token.expiresAt)));
        }
        const proof = params.get('appsecret_proof');
        if (proof !== undefined && !sameText(proof, state.proofFor(raw, token.appId))) {
          throw new GraphFailure(errors.appSecretProof());
        }
        if (proof === undefined && metaFaults.requireAppSecretProof)
          throw new GraphFailure(errors.appSecretProofMissing());

        // 2. usage, counted for every call a token makes
        const verdict = usage.consume(token, token.appId);
        reply.headers(verdict.headers);
        if (verdict.refusal) throw new GraphFailure(verdict.refusal);

        // 3. the object, and what the log calls this endpoint
        const target = resolve(state, id, token);
        const label = id === 'me' ? 'me' : target ? LABEL[target.kind] : '{id}';
        ctx.entry.endpoint = `${method} /${label}${edge === undefined ? '' : `/${edge}`}`;
        const injected = metaFaults.take(ctx.entry.endpoint, ctx.path);
        if (injected) throw new GraphFailure(injected);
        if (!target) throw new GraphFailure(errors.unknownObject(method, id));

        const rc: RenderContext = {
          state,
          token,
          base: `${request.protocol}://${request.headers.host ?? 'localhost'}/${version}`,
        };
        const fields = params.has('fields') ? parseFields(params.get('fields')!) : null;
        const result =
          method === 'GET'
            ? read(rc, target, edge, fields, params, request, ctx.query)
            : method === 'POST'
              ? write(rc, target, edge, params, metaFaults)
              : remove(rc, target, edge, params, metaFaults);
        return send(reply, result);
      } catch (error) {
        if (error instanceof GraphFailure) return send(reply, error.reply);
        throw error;
      }
    };

  for (const method of ['GET', 'POST', 'DELETE'] as const) {
    api.route({ method, url: '/:id', handler: handler(method) });
    api.route({ method, url: '/:id/:edge', handler: handler(method) });
  }
}

function send(reply: FastifyReply, result: ApiReply): FastifyReply {
  if (result.headers) reply.headers(result.headers);
  return reply.code(result.status).send(result.body);
}

// ---- reads ---------------------------------------------------------------------------------

function nodeOf(target: Resolved): NodeType<never> {
  const nodes: Record<Resolved['kind'], NodeType<never>> = {
    person: personNode as NodeType<never>,
    page: pageNode as NodeType<never>,
    post: postNode as NodeType<never>,
    comment: commentNode as NodeType<never>,
    ig_user: igUserNode as NodeType<never>,
    ig_media: igMediaNode as NodeType<never>,
    ig_comment: igCommentNode as NodeType<never>,
  };
  return nodes[target.kind];
}

/** who may read the object at all (Page content: its Page token; Instagram: its Page's people) */
function checkRead(rc: RenderContext, target: Resolved, method: string, id: string): void {
  switch (target.kind) {
    case 'person':
    case 'page':
      return;
    case 'post':
      requirePageToken(rc, method, id, target.obj.pageId);
      return;
    case 'comment':
      requirePageToken(rc, method, id, rc.state.posts.get(target.obj.postId)!.pageId);
      return;
    case 'ig_user':
      requireIg(rc, method, id, canReachIg(rc, target.obj.id));
      return;
    case 'ig_media':
      requireIg(rc, method, id, canReachMedia(rc, target.obj));
      return;
    case 'ig_comment':
      requireIg(rc, method, id, canReachMedia(rc, rc.state.media.get(target.obj.mediaId)!));
      return;
  }
}

function read(
  rc: RenderContext,
  target: Resolved,
  edge: string | undefined,
  fields: FieldSel[] | null,
  params: Map<string, string>,
  request: FastifyRequest,
  query: URLSearchParams,
): ApiReply {
  checkRead(rc, target, 'GET', target.obj.id);
  const node = nodeOf(target);
  if (edge === undefined) return { status: 200, body: render(node, target.obj as never, fields, rc) };
  const makeList = node.edges[edge];
  if (!makeList) return errors.unknownPath(`/${edge}`);
  const get = (key: string) => params.get(key);
  const list: EdgeList = makeList(target.obj as never, get, rc);
  const body = listEdge(
    list,
    (fallback) => pageParams(get, fallback),
    fields,
    rc,
    (cursor) => {
      const url = new URL(`${rc.base}/${target.obj.id}/${edge}`);
      for (const [key, value] of query)
        if (key !== 'after' && key !== 'before') url.searchParams.set(key, value);
      if (!url.searchParams.has('access_token')) url.searchParams.set('access_token', rc.token.token);
      for (const [key, value] of Object.entries(cursor)) url.searchParams.set(key, value);
      return url.toString();
    },
  );
  void request;
  return { status: 200, body };
}

// ---- writes --------------------------------------------------------------------------------

function pageOfTarget(rc: RenderContext, target: Resolved): string | null {
  if (target.kind === 'page') return target.obj.id;
  if (target.kind === 'post') return target.obj.pageId;
  if (target.kind === 'comment') return rc.state.posts.get(target.obj.postId)!.pageId;
  return null;
}

/** Page writes: the Page's token with pages_manage_engagement, and the Page not blocked */
function checkPageWrite(rc: RenderContext, target: Resolved, method: string, faults: MetaFaults): string {
  const pageId = pageOfTarget(rc, target);
  if (pageId === null)
    return fail({
      message: `(#100) Unsupported ${method.toLowerCase()} request.`,
      code: 100,
      type: 'GraphMethodException',
    });
  if (!canManagePage(rc, pageId)) requirePageToken(rc, method, target.obj.id, pageId);
  requireScope(rc, 'pages_manage_engagement');
  if (faults.actionBlocked.has(pageId)) {
    fail({
      message: '(#368) The action attempted has been deemed abusive or is otherwise disallowed',
      code: 368,
      subcode: 1390008,
    });
  }
  return pageId;
}

function checkIgWrite(rc: RenderContext, target: Resolved, method: string): void {
  checkRead(rc, target, method, target.obj.id);
  requireScope(rc, 'instagram_manage_comments');
}

function people(params: Map<string, string>): string[] {
  const raw = params.get('user') ?? params.get('uid') ?? params.get('psid') ?? params.get('asid');
  if (raw === undefined || raw.trim() === '')
    return fail({ message: '(#100) The parameter user is required', code: 100 });
  let ids: unknown;
  try {
    ids = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',');
  } catch {
    return fail({ message: '(#100) Param user must be a list of ids', code: 100 });
  }
  if (!Array.isArray(ids)) return fail({ message: '(#100) Param user must be a list of ids', code: 100 });
  return ids.map((v) => String(v).trim());
}

function write(
  rc: RenderContext,
  target: Resolved,
  edge: string | undefined,
  params: Map<string, string>,
  faults: MetaFaults,
): ApiReply {
  const { state } = rc;
  if (target.kind === 'comment' && edge === undefined) {
    checkPageWrite(rc, target, 'POST', faults);
    if (!params.has('is_hidden')) return errors.param('The parameter is_hidden is required');
    const hidden = bool(params.get('is_hidden'), 'is_hidden');
    if (target.obj.fromId === state.posts.get(target.obj.postId)?.pageId) {
      return errors.param("A Page can't hide its own comments");
    }
    state.setCommentHidden(target.obj.id, hidden);
    return { status: 200, body: { success: true } };
  }
  if ((target.kind === 'comment' || target.kind === 'post') && edge === 'comments') {
    const pageId = checkPageWrite(rc, target, 'POST', faults);
    const comment = state.addComment({ on: target.obj.id, from: pageId, message: message(params) });
    return { status: 200, body: { id: comment.id } };
  }
  if (target.kind === 'page' && edge === 'blocked') {
    checkPageWrite(rc, target, 'POST', faults);
    const out: Record<string, boolean> = {};
    for (const id of people(params)) {
      const known = state.people.has(id) && !target.obj.adminIds.includes(id);
      if (known) state.ban(target.obj.id, id);
      out[id] = known;
    }
    return { status: 200, body: out };
  }
  if (target.kind === 'ig_comment' && edge === undefined) {
    checkIgWrite(rc, target, 'POST');
    if (!params.has('hide')) return errors.param('The parameter hide is required');
    state.setIgCommentHidden(target.obj.id, bool(params.get('hide'), 'hide'));
    return { status: 200, body: { success: true } };
  }
  if (target.kind === 'ig_comment' && edge === 'replies') {
    checkIgWrite(rc, target, 'POST');
    const text = message(params);
    const top = target.obj.parentId === null ? target.obj : state.igComment(target.obj.parentId);
    if (target.obj.hidden || top?.hidden) {
      return graphError({
        message: '(#100) You cannot reply to a hidden comment.',
        code: 100,
        subcode: 2534037,
      });
    }
    const owner = state.media.get(target.obj.mediaId)!.ownerId;
    const as = canReachIg(rc, owner)
      ? owner
      : (target.obj.mentionIds.find((m) => canReachIg(rc, m)) ?? owner);
    const reply = state.addIgComment({ on: target.obj.id, from: as, text });
    return { status: 200, body: { id: reply.id } };
  }
  if (target.kind === 'ig_media' && edge === undefined) {
    checkIgWrite(rc, target, 'POST');
    if (!canReachIg(rc, target.obj.ownerId)) return errors.unknownObject('POST', target.obj.id);
    if (!params.has('comment_enabled')) return errors.param('The parameter comment_enabled is required');
    state.setMediaCommentsEnabled(target.obj.id, bool(params.get('comment_enabled'), 'comment_enabled'));
    return { status: 200, body: { success: true } };
  }
  if (target.kind === 'ig_media' && edge === 'comments') {
    checkIgWrite(rc, target, 'POST');
    if (!canReachIg(rc, target.obj.ownerId)) return errors.unknownObject('POST', target.obj.id);
    const comment = state.addIgComment({
      on: target.obj.id,
      from: target.obj.ownerId,
      text: message(params),
    });
    return { status: 200, body: { id: comment.id } };
  }
  return edge === undefined ? errors.unknownObject('POST', target.obj.id) : errors.unknownPath(`/${edge}`);
}

function remove(
  rc: RenderContext,
  target: Resolved,
  edge: string | undefined,
  params: Map<string, string>,
  faults: MetaFaults,
): ApiReply {
  const { state } = rc;
  if (target.kind === 'comment' && edge === undefined) {
    checkPageWrite(rc, target, 'DELETE', faults);
    state.deleteComment(target.obj.id);
    return { status: 200, body: { success: true } };
  }
  if (target.kind === 'page' && edge === 'blocked') {
    checkPageWrite(rc, target, 'DELETE', faults);
    for (const id of people(params)) state.unban(target.obj.id, id);
    return { status: 200, body: { success: true } };
  }
  if (target.kind === 'ig_comment' && edge === undefined) {
    checkIgWrite(rc, target, 'DELETE');
    const owner = state.media.get(target.obj.mediaId)!.ownerId;
    if (!canReachIg(rc, owner) && !canReachIg(rc, target.obj.fromId))
      return errors.unknownObject('DELETE', target.obj.id);
    state.deleteIgComment(target.obj.id);
    return { status: 200, body: { success: true } };
  }
  return edge === undefined ? errors.unknownObject('DELETE', target.obj.id) : errors.unknownPath(`/${edge}`);
}
