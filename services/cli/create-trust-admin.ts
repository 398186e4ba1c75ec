import { randomBytes } from 'node:crypto';
import { and, asc, eq, or, sql } from 'drizzle-orm';
import { closeDatabase, createDatabase } from '../../db/client.js';
import { schools, trusts, users } from '../../db/schema/index.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/hash-password.js';
import { inviteUser } from '../auth/invite-user.js';
import { setPassword } from '../auth/set-password.js';
import { systemContext } from '../core/service-context.js';
import { type CliIo, CommandError, cliConfig, parseOptions, requireOption, UsageError } from './cli-io.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A password for a person to change at first sign-in: 24 characters, 144 bits. */
const generatePassword = () => randomBytes(18).toString('base64url');

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/**
 * `create-trust-admin --trust <name or id> --email <email> --name <display name> [--password <p> | -]`:
 * a person with the trust admin role at every school of the trust, with a password. Without
 * --password one is generated and printed once; `--password -` reads it from stdin.
 */
export async function createTrustAdminCommand(argv: string[], io: CliIo): Promise<number> {
  const opts = parseOptions(argv, {
    trust: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    password: { type: 'string' },
  });
  const trustRef = requireOption(opts.trust, 'trust');
  const email = requireOption(opts.email, 'email');
  const displayName = requireOption(opts.name, 'name');
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new UsageError('--email must be an email address');
  let password = opts.password === '-' ? await readPasswordFromStdin() : opts.password;
  const generated = password === undefined;
  password ??= generatePassword();
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new UsageError(
      `--password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters (leave it out to have one generated)`,
    );
  }

  const config = cliConfig();
  const db = createDatabase({ url: config.databaseUrl, max: 2, applicationName: 'hallmonitor-cli' });
  try {
    const found = await db
      .select()
      .from(trusts)
      .where(
        UUID.test(trustRef)
          ? or(eq(trusts.id, trustRef), eq(trusts.name, trustRef))
          : eq(trusts.name, trustRef),
      );
    if (found.length === 0) throw new CommandError(`No trust is called or has the id "${trustRef}"`);
    if (found.length > 1)
      throw new CommandError(`Several trusts are called "${trustRef}"; give the trust's id`);
    const trust = found[0]!;
    const [existing] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.trustId, trust.id), eq(sql`lower(${users.email})`, email.toLowerCase())));
    if (existing)
      throw new CommandError(
        `Someone in ${trust.name} with the email ${email} already has a Hallmonitor account`,
      );
    const trustSchools = await db
      .select({ id: schools.id, name: schools.name })
      .from(schools)
      .where(eq(schools.trustId, trust.id))
      .orderBy(asc(schools.name));
    if (trustSchools.length === 0) {
      io.progress(`warning: ${trust.name} has no schools yet; the new person has no role until one is added`);
    }

    const ctx = systemContext(db, 'command line');
    const user = await inviteUser(ctx, {
      trustId: trust.id,
      email,
      displayName,
      roles: trustSchools.map((s) => ({ schoolId: s.id, role: 'trust_admin' as const })),
    });
    await setPassword(ctx, { userId: user.id, newPassword: password });

    io.out(`Created trust admin ${displayName} <${user.email}> (${user.id})`);
    io.out(`Trust: ${trust.name} (${trust.id})`);
    io.out(`Trust admin at: ${trustSchools.map((s) => s.name).join(', ') || 'no schools yet'}`);
    if (generated) io.out(`Password (shown once, ask them to change it): ${password}`);
    return 0;
  } finally {
    await closeDatabase(db);
  }
}
