import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';

export interface SeededScene {
  trustId: string;
  schoolIds: string[];
  accountIds: string[];
}

/**
 * Schools, active X accounts and `total` comments spread evenly over the accounts, written by
 * generate_series inside Postgres (a million rows in seconds, not minutes of round trips).
 * `openShare` of the comments are open with a deadline from `dueShare` in the past to a week
 * ahead; the rest are responded. Progress goes to stderr.
 */
export async function seedComments(
  db: Database,
  options: { schools: number; accounts: number; total: number; openShare: number; dueShare?: number },
): Promise<SeededScene> {
  const started = performance.now();
  const [trust] = (
    await db.execute<{ id: string }>(sql`insert into trusts (name) values ('Bench Trust') returning id`)
  ).rows;
  const schools = await db.execute<{ id: string }>(sql`
    insert into schools (trust_id, name)
    select ${trust!.id}, 'Bench School ' || g from generate_series(1, ${options.schools}) g
    returning id`);
  const schoolIds = schools.rows.map((r) => r.id);
  const accounts = await db.execute<{ id: string }>(sql`
    insert into social_accounts (school_id, platform, handle, platform_user_id, status, credential_status)
    select (array[${sql.join(
      schoolIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )}])[1 + (g % ${options.schools})], 'x', 'bench_' || g, (900000000 + g)::text, 'active', 'valid'
    from generate_series(1, ${options.accounts}) g
    returning id`);
  const accountIds = accounts.rows.map((r) => r.id);
  const dueShare = options.dueShare ?? 0.001;
  const chunk = 200_000;
  for (let from = 1; from <= options.total; from += chunk) {
    const to = Math.min(options.total, from + chunk - 1);
    // Row g goes to account g % accounts; a share of rows are open, with deadlines spread from
    // (dueShare of the open ones) already past to a week ahead.
    await db.execute(sql`
      insert into comments (school_id, account_id, platform, external_id, author_external_id, author_handle,
        author_name, text, posted_at, ingested_at, processed_at, status, deadline_at, warn_at,
        deadline_rule_version, first_response_at, resolved_at)
      select a.school_id, a.id, 'x', 'bench-' || g, (g % 5000)::text, 'parent_' || (g % 5000), 'A Parent',
        'What time does the school fair start on Saturday? Comment number ' || g,
        now() - make_interval(secs => g % 604800), now() - make_interval(secs => g % 604800),
        now() - make_interval(secs => g % 604800),
        case when open then 'open' else 'responded' end,
        now() + make_interval(secs => ((random() - ${dueShare}) * 604800)::int),
        now() + make_interval(secs => ((random() - ${dueShare}) * 604800 * 0.75)::int),
        'bench',
        case when open then null else now() end,
        case when open then null else now() end
      from generate_series(${from}::int, ${to}::int) g
      cross join lateral (select (g % 1000) < ${Math.round(options.openShare * 1000)} as open) o
      join lateral (
        select s.id, s.school_id from social_accounts s
        where s.id = (array[${sql.join(
          accountIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )}])[1 + (g % ${options.accounts})]
      ) a on true`);
    process.stderr.write(
      `  seeded ${to.toLocaleString('en-GB')} / ${options.total.toLocaleString('en-GB')} comments\n`,
    );
  }
  // A settled table, as in steady use: no autovacuum pass competing with the measurement.
  await db.execute(sql`vacuum (analyze) comments`);
  process.stderr.write(`  seeding took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { trustId: trust!.id, schoolIds, accountIds };
}
