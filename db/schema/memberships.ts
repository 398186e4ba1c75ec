import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { createdAt, id } from './columns.js';
import { schools } from './schools.js';
import { users } from './users.js';

/** School-wide roles. Account admin is per account: see account_admins. */
export const SCHOOL_ROLES = [
  'comms',
  'senior_leader',
  'safeguarding_lead',
  'auditor',
  'trust_admin',
] as const;
export type SchoolRole = (typeof SCHOOL_ROLES)[number];

export const memberships = pgTable(
  'memberships',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    role: text('role', { enum: SCHOOL_ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('memberships_unique').on(t.userId, t.schoolId, t.role),
    index('memberships_school_role_idx').on(t.schoolId, t.role),
  ],
);

export const membershipInsertSchema = createInsertSchema(memberships);
export const membershipSelectSchema = createSelectSchema(memberships);
export type Membership = typeof memberships.$inferSelect;
