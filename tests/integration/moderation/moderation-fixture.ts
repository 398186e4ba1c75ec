import type { Config } from '../../../config/load-config.js';
import type { Database } from '../../../db/client.js';
import type { Sandbox } from '../../../sandbox/server.js';
import { systemContext } from '../../../services/core/service-context.js';
import { type ExecuteActionDeps, executeAction } from '../../../services/moderation/execute-action.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { createComment, createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';

let n = 0;

/**
 * A school with two account admins, a comms member who is not an admin, a senior leader, and an
 * X account on the sandbox holding a parent's reply to one of the school's posts (stored as a comment).
 */
export async function moderationScene(
  db: Database,
  sandbox: Sandbox,
  config: Config,
  options: { settings?: { twoAdminHide?: boolean; proposalExpiryHours?: number } } = {},
) {
  n += 1;
  const school = await createSchool(db, { name: `Oakfield Primary ${n}` });
  const roles = (role: 'comms' | 'senior_leader') => [{ schoolId: school.id, role }];
  const [adminA, adminB, comms, senior] = await Promise.all([
    createUser(db, { trustId: school.trustId, roles: roles('comms'), displayName: 'Admin A' }),
    createUser(db, { trustId: school.trustId, roles: roles('comms'), displayName: 'Admin B' }),
    createUser(db, { trustId: school.trustId, roles: roles('comms'), displayName: 'Comms C' }),
    createUser(db, { trustId: school.trustId, roles: roles('senior_leader'), displayName: 'Head D' }),
  ]);
  const { account, user } = await connectSandboxAccount(db, sandbox, config, {
    schoolId: school.id,
    username: `oakfield_mod_${n}`,
    adminIds: [adminA!.id, adminB!.id],
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const post = sandbox.state.createPost({ author: user.id, text: 'Sports day is on Friday' });
  const reply = sandbox.state.injectComment({
    from: `angry_parent_${n}`,
    inReplyTo: post.id,
    text: 'useless id10ts',
  });
  const comment = await createComment(db, {
    schoolId: school.id,
    accountId: account.id,
    externalId: reply.id,
    conversationId: post.id,
    inReplyToExternalId: post.id,
    authorExternalId: reply.authorId,
    authorHandle: `angry_parent_${n}`,
    text: reply.text,
  });
  return {
    school,
    adminA: adminA!,
    adminB: adminB!,
    comms: comms!,
    senior: senior!,
    account,
    sandboxUser: user,
    post,
    reply,
    comment,
  };
}

export function runAction(
  db: Database,
  config: Config,
  actionId: string,
  extra: Partial<ExecuteActionDeps> = {},
) {
  return executeAction(
    systemContext(db, 'test executor'),
    { actionId },
    {
      encryptionKey: config.encryptionKey,
      adapterFor: createAdapterFactory(config),
      ...extra,
    },
  );
}
