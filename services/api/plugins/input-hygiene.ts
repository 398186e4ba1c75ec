import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ServiceError } from '../../core/service-error.js';

/**
 * Text Postgres cannot store: a NUL character (refused in `text`, and as `\u0000` in `jsonb`) and
 * an unpaired surrogate (not Unicode at all; `jsonb` refuses its escape). Found in a request, they
 * would reach a query and fail there as a 500; refused here, the caller learns which field.
 */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badText(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character (\\u0000), which text may not contain';
  if (UNPAIRED_SURROGATE.test(value)) return 'contains an unpaired surrogate: it is not valid Unicode text';
  return null;
}

/** The first unstorable string in a parsed value, as `where: problem`, looking at keys too. */
function findBadText(value: unknown, where: string, depth = 0): string | null {
  if (typeof value === 'string') {
    const problem = badText(value);
    return problem ? `${where}: ${problem}` : null;
  }
  if (typeof value !== 'object' || value === null || depth > 32) return null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findBadText(item, `${where}.${i}`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = badText(key);
    if (keyProblem) return `${where}: a field name ${keyProblem}`;
    const found = findBadText(item, `${where}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Refuses unstorable text anywhere in a request's path, query or body, naming the field. */
async function refuseUnstorableText(request: FastifyRequest) {
  const problem =
    findBadText(request.params, 'params') ??
    findBadText(request.query, 'querystring') ??
    findBadText(request.body, 'body');
  if (!problem) return;
  // statusCode: for a plugin's own error handler (the queue dashboard's) that knows no ServiceError.
  throw Object.assign(new ServiceError('INVALID_INPUT', problem, { problems: [problem] }), {
    statusCode: 400,
  });
}

/**
 * One check in front of every route registered after it (JSON, pages and form posts alike), after
 * the sign-in check and before the route's own schema: no route has to remember it.
 */
export const inputHygienePlugin = fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      const own = route.preValidation ? [route.preValidation].flat() : [];
      route.preValidation = [...own, refuseUnstorableText];
    });
  },
  { name: 'input-hygiene', dependencies: ['authentication'] },
);
