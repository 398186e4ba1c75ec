import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { systemContext } from '../../core/service-context.js';
import { auditFilterSchema } from '../audit-filter.js';
import { exportAudit } from '../export-audit.js';
import { loadCheckpoints } from '../verify-audit.js';
import {
  type CliIo,
  configuredSigningKey,
  describeError,
  processIo,
  withCliDatabase,
} from './cli-support.js';

export const EXPORT_USAGE = `Usage: npm run audit:export -- [--format jsonl|csv] [--out FILE] [filters]
  Streams the audit log (or the entries matching the filters) followed by a signed manifest.
  Check it anywhere, with no database: npm run audit:verify-export -- FILE
  --from N --to M           sequence range (an unfiltered range exports the chain itself)
  --school ID --account ID --actor ID --action NAME --subject-type T --subject-id ID
  --since DATE --until DATE --q WORDS
  --checkpoints             write the signed checkpoints (JSON Lines) instead, for an outside witness
  --database-url URL        default: DATABASE_URL
`;

function parseExportArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      format: { type: 'string', default: 'jsonl' },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      school: { type: 'string' },
      account: { type: 'string' },
      actor: { type: 'string' },
      action: { type: 'string' },
      'subject-type': { type: 'string' },
      'subject-id': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      q: { type: 'string' },
      checkpoints: { type: 'boolean' },
      'database-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
}

/** `npm run audit:export` and `npm run cli -- audit export`: returns the exit code. */
export async function runExportCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  let values: ReturnType<typeof parseExportArgs>;
  try {
    values = parseExportArgs(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n${EXPORT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(EXPORT_USAGE);
    return 0;
  }
  if (values.format !== 'jsonl' && values.format !== 'csv') {
    io.err(`--format must be jsonl or csv\n${EXPORT_USAGE}`);
    return 2;
  }
  const parsed = auditFilterSchema.safeParse({
    fromSeq: values.from,
    toSeq: values.to,
    schoolId: values.school,
    accountId: values.account,
    actorId: values.actor,
    action: values.action,
    subjectType: values['subject-type'],
    subjectId: values['subject-id'],
    from: values.since,
    to: values.until,
    q: values.q,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    io.err(`Invalid filter ${String(issue.path[0])}: ${issue.message}\n${EXPORT_USAGE}`);
    return 2;
  }
  const format = values.format;
  const out = values.out;
  const checkpointsOnly = values.checkpoints;
  try {
    return await withCliDatabase(values['database-url'], async (db) => {
      let source: AsyncIterable<string>;
      if (checkpointsOnly) {
        const list = await loadCheckpoints(db);
        source = (async function* () {
          for (const c of list) yield `${JSON.stringify(c)}\n`;
        })();
      } else {
        source = await exportAudit(systemContext(db, 'operator (audit export)'), {
          format,
          filter: parsed.data,
          signingKey: configuredSigningKey(),
        });
      }
      if (out) {
        await pipeline(Readable.from(source), createWriteStream(out));
        io.err(`written ${out}\n`);
      } else {
        for await (const chunk of source) io.out(chunk);
      }
      return 0;
    });
  } catch (error) {
    io.err(`audit export failed: ${describeError(error)}\n`);
    return 2;
  }
}
