import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, platformsOff } from '../../config/load-config.js';

const valid = {
  SESSION_SECRET: 'a'.repeat(48),
  ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
};

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('configuration', () => {
  it('works with only the two secrets set, against local Postgres and Redis', () => {
    const config = loadConfig(valid);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/hallmonitor');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(3000);
    expect(config.encryptionKey).toHaveLength(32);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('believes no X-Forwarded-For unless TRUST_PROXY says which proxies to trust', () => {
    expect(loadConfig(valid).trustProxy).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...valid, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe(
      '10.0.0.0/8, 127.0.0.1',
    );
    const error = failure({ ...valid, TRUST_PROXY: 'everyone' });
    expect(error.variable).toBe('TRUST_PROXY');
    expect(error.message).toMatch(/a number of proxy hops/);
  });

  it('takes a METRICS_TOKEN of 24 or more characters, and names it when it is too short', () => {
    expect(loadConfig(valid).metricsToken).toBeUndefined();
    expect(loadConfig({ ...valid, METRICS_TOKEN: 'x'.repeat(32) }).metricsToken).toBe('x'.repeat(32));
    const error = failure({ ...valid, METRICS_TOKEN: 'short' });
    expect(error.variable).toBe('METRICS_TOKEN');
    expect(error.message).toMatch(/at least 24 printable characters/);
  });

  it('takes WEBHOOK_ALLOWED_HOSTS as names, addresses and CIDRs, and names it when an entry is neither', () => {
    expect(loadConfig(valid).webhookAllowedHosts).toEqual([]);
    expect(
      loadConfig({ ...valid, WEBHOOK_ALLOWED_HOSTS: 'Hooks.Internal.Example., 10.1.2.3,[::1],10.8.0.0/16' })
        .webhookAllowedHosts,
    ).toEqual(['hooks.internal.example', '10.1.2.3', '::1', '10.8.0.0/16']);
    for (const bad of ['http://hooks.example', 'hooks.example:8080', '10.0.0.0/33', 'a b']) {
      const error = failure({ ...valid, WEBHOOK_ALLOWED_HOSTS: bad });
      expect(error.variable).toBe('WEBHOOK_ALLOWED_HOSTS');
      expect(error.message).toMatch(/host names, IP addresses or CIDR ranges/);
    }
  });

  it('takes a QUEUE_DASHBOARD_TRUST_ID that is a trust id, and names it when it is not', () => {
    expect(loadConfig(valid).queueDashboardTrustId).toBeUndefined();
    const id = '0F8FAD5B-D9CB-469F-A165-70867728950E';
    expect(loadConfig({ ...valid, QUEUE_DASHBOARD_TRUST_ID: id }).queueDashboardTrustId).toBe(
      id.toLowerCase(),
    );
    const error = failure({ ...valid, QUEUE_DASHBOARD_TRUST_ID: 'Oak Trust' });
    expect(error.variable).toBe('QUEUE_DASHBOARD_TRUST_ID');
    expect(error.message).toMatch(/a trust's id/);
  });

  it('takes AUDIT_WITNESS_EMAILS only with SMTP_URL, and names it otherwise', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const mailing = { ...valid, SMTP_URL: 'smtp://mail.trust.example:587', AUDIT_SIGNING_KEY: key };
    expect(
      loadConfig({ ...mailing, AUDIT_WITNESS_EMAILS: ' dpo@trust.example, chair@governors.example ' })
        .auditWitnessEmails,
    ).toEqual(['dpo@trust.example', 'chair@governors.example']);
    const notAnAddress = failure({ ...mailing, AUDIT_WITNESS_EMAILS: 'dpo@trust.example, the governors' });
    expect(notAnAddress.variable).toBe('AUDIT_WITNESS_EMAILS');
    expect(notAnAddress.message).toMatch(/email addresses, comma-separated/);
    const noSmtp = failure({ ...valid, AUDIT_SIGNING_KEY: key, AUDIT_WITNESS_EMAILS: 'dpo@trust.example' });
    expect(noSmtp.variable).toBe('AUDIT_WITNESS_EMAILS');
    expect(noSmtp.message).toMatch(/SMTP_URL/);
    // Without AUDIT_SIGNING_KEY the key kept in AUDIT_SIGNING_KEY_FILE signs what is mailed.
    const noKey = loadConfig({
      ...valid,
      SMTP_URL: 'smtp://mail.trust.example',
      AUDIT_WITNESS_EMAILS: 'dpo@trust.example',
    });
    expect(noKey.auditWitnessEmails).toEqual(['dpo@trust.example']);
    expect(noKey.auditSigningKeyFile).toBe(resolve('.hallmonitor/audit-signing-key'));
  });

  it('signs audit checkpoints every AUDIT_CHECKPOINT_MINUTES, 15 by default, and names a bad value', () => {
    expect(loadConfig(valid).auditCheckpointMinutes).toBe(15);
    expect(loadConfig({ ...valid, AUDIT_CHECKPOINT_MINUTES: '60' }).auditCheckpointMinutes).toBe(60);
    for (const bad of ['0', '1441', 'hourly']) {
      const error = failure({ ...valid, AUDIT_CHECKPOINT_MINUTES: bad });
      expect(error.variable).toBe('AUDIT_CHECKPOINT_MINUTES');
      expect(error.message).toMatch(/a whole number from 1 to 1440/);
    }
  });

  it('names a missing secret and says what it expects', () => {
    const error = failure({ SESSION_SECRET: valid.SESSION_SECRET });
    expect(error.variable).toBe('ENCRYPTION_KEY');
    expect(error.message).toBe(
      'Missing configuration: ENCRYPTION_KEY is not set; expected 32 bytes, base64-encoded (generate one with: openssl rand -base64 32)',
    );
  });

  it('names a malformed URL', () => {
    const error = failure({ ...valid, DATABASE_URL: 'mysql://localhost/db' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toMatch(
      /DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//,
    );
    expect(failure({ ...valid, REDIS_URL: 'not a url' }).variable).toBe('REDIS_URL');
  });

  it('refuses a key that is too short', () => {
    const error = failure({ ...valid, ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') });
    expect(error.variable).toBe('ENCRYPTION_KEY');
    expect(error.message).toMatch(/must be 32 bytes, base64-encoded/);
    expect(failure({ ...valid, SESSION_SECRET: 'short' }).message).toMatch(
      /SESSION_SECRET must be at least 32 characters/,
    );
  });

  it('refuses numbers out of range and unknown log levels', () => {
    expect(failure({ ...valid, PORT: '70000' }).message).toMatch(
      /PORT must be a whole number from 0 to 65535/,
    );
    expect(failure({ ...valid, POLL_INTERVAL_SECONDS: '1' }).variable).toBe('POLL_INTERVAL_SECONDS');
    expect(failure({ ...valid, LOG_LEVEL: 'loud' }).variable).toBe('LOG_LEVEL');
  });

  it('treats a blank value as unset', () => {
    expect(loadConfig({ ...valid, PORT: '  ' }).port).toBe(3000);
  });
});

describe('outside classification tiers', () => {
  it('are not configured by default, so no comment text can leave the installation', () => {
    expect(loadConfig(valid).externalClassification).toEqual({});
  });

  it('take a self-hosted guard model on this machine only when the installation says so', () => {
    const local = { ...valid, GUARD_MODEL_URL: 'http://127.0.0.1:11434/v1/chat/completions' };
    const refused = failure(local);
    expect(refused.variable).toBe('GUARD_MODEL_URL');
    expect(refused.message).toContain('GUARD_MODEL_ALLOW_PRIVATE_NETWORK=true');
    expect(
      failure({ ...local, GUARD_MODEL_URL: 'http://localhost:11434/v1/chat/completions' }).variable,
    ).toBe('GUARD_MODEL_URL');
    const config = loadConfig({ ...local, GUARD_MODEL_ALLOW_PRIVATE_NETWORK: 'true' });
    expect(config.externalClassification.guard).toEqual({
      url: 'http://127.0.0.1:11434/v1/chat/completions',
      model: 'llama-guard3',
      timeoutMs: 5_000,
      allowPrivateNetwork: true,
    });
  });

  it('refuse plain http across the internet and a cloud metadata address even when private is allowed', () => {
    expect(
      failure({ ...valid, GUARD_MODEL_URL: 'http://guard.example.org/v1/chat/completions' }).message,
    ).toContain('plain http');
    const metadata = failure({
      ...valid,
      GUARD_MODEL_URL: 'http://169.254.169.254/v1/chat/completions',
      GUARD_MODEL_ALLOW_PRIVATE_NETWORK: 'true',
    });
    expect(metadata.variable).toBe('GUARD_MODEL_URL');
    expect(metadata.message).toContain('metadata');
  });

  it('name the variable that is wrong', () => {
    expect(failure({ ...valid, MODERATION_URL: 'https://api.openai.com/v1/moderations' }).variable).toBe(
      'MODERATION_API_KEY',
    );
    expect(failure({ ...valid, GUARD_MODEL_TIMEOUT_MS: 'soon' }).variable).toBe('GUARD_MODEL_TIMEOUT_MS');
    expect(failure({ ...valid, GUARD_MODEL_NAME: 'llama guard; rm -rf' }).variable).toBe('GUARD_MODEL_NAME');
    expect(failure({ ...valid, MODERATION_URL: 'http://api.openai.com/v1/moderations' }).variable).toBe(
      'MODERATION_URL',
    );
  });

  describe('Meta (Facebook and Instagram)', () => {
    const meta = {
      META_APP_ID: '1234567890123',
      META_APP_SECRET: 'abcdef0123456789abcdef0123456789',
      META_WEBHOOK_VERIFY_TOKEN: 'a-verify-token-of-enough-length',
    };

    it('is off with none of its variables set, and says so in one sentence', () => {
      const config = loadConfig(valid);
      expect(config.meta).toBeUndefined();
      expect(platformsOff(config)).toEqual([
        {
          platforms: ['facebook', 'instagram'],
          message: expect.stringMatching(
            /^META_APP_ID, META_APP_SECRET and META_WEBHOOK_VERIFY_TOKEN are not set: Facebook and Instagram are off/,
          ),
        },
      ]);
    });

    it('is on with the three set, with the Graph API defaults', () => {
      const config = loadConfig({ ...valid, ...meta });
      expect(config.meta).toEqual({
        appId: '1234567890123',
        appSecret: 'abcdef0123456789abcdef0123456789',
        webhookVerifyToken: 'a-verify-token-of-enough-length',
        graphBaseUrl: 'https://graph.facebook.com',
        graphVersion: 'v21.0',
        pollIntervalSecondsWithWebhooks: 900,
      });
      expect(Object.isFrozen(config.meta)).toBe(true);
      expect(platformsOff(config)).toEqual([]);
    });

    it('points at another Graph origin and version without a trailing slash', () => {
      const config = loadConfig({
        ...valid,
        ...meta,
        META_GRAPH_BASE_URL: 'http://127.0.0.1:4100/',
        META_GRAPH_VERSION: 'v22.0',
        META_POLL_INTERVAL_SECONDS_WITH_WEBHOOKS: '600',
      });
      expect(config.meta?.graphBaseUrl).toBe('http://127.0.0.1:4100');
      expect(config.meta?.graphVersion).toBe('v22.0');
      expect(config.meta?.pollIntervalSecondsWithWebhooks).toBe(600);
    });

    it('refuses to start half-configured, naming what is missing', () => {
      const one = failure({ ...valid, META_APP_ID: meta.META_APP_ID });
      expect(one.variable).toBe('META_APP_SECRET and META_WEBHOOK_VERIFY_TOKEN');
      expect(one.message).toMatch(
        /^Invalid configuration: META_APP_SECRET and META_WEBHOOK_VERIFY_TOKEN must be set as well, because META_APP_ID is /,
      );
      const two = failure({ ...valid, ...meta, META_APP_SECRET: '  ' });
      expect(two.variable).toBe('META_APP_SECRET');
      expect(two.message).toMatch(/because META_APP_ID and META_WEBHOOK_VERIFY_TOKEN are/);
    });

    it('refuses a malformed value, naming the variable', () => {
      const cases: [string, string, RegExp][] = [
        ['META_APP_ID', 'my-app', /numeric App ID/],
        ['META_APP_SECRET', 'short', /App Secret/],
        ['META_APP_SECRET', 'secret with spaces in it 0123456789', /no spaces/],
        ['META_WEBHOOK_VERIFY_TOKEN', 'tooshort', /at least 16 printable characters/],
        ['META_WEBHOOK_VERIFY_TOKEN', 'has a space in the token itself', /without spaces/],
        ['META_GRAPH_BASE_URL', 'graph.facebook.com', /a URL starting with http:\/\/ or https:\/\//],
        ['META_GRAPH_VERSION', '21', /a Graph API version such as v21.0/],
        ['META_POLL_INTERVAL_SECONDS_WITH_WEBHOOKS', '5', /a whole number from 60 to 86400/],
        ['META_APP_ID', '1\u00002', /numeric App ID/],
      ];
      for (const [variable, value, expected] of cases) {
        const error = failure({ ...valid, ...meta, [variable]: value });
        expect(error.variable, `${variable}=${value}`).toBe(variable);
        expect(error.message).toMatch(expected);
      }
    });
  });

  describe('Bluesky', () => {
    it('is on with no configuration, signing in at bsky.social; a self-hosted PDS is one variable', () => {
      expect(loadConfig(valid).bluesky).toEqual({ serviceUrl: 'https://bsky.social' });
      expect(loadConfig({ ...valid, BLUESKY_SERVICE_URL: 'https://pds.example.org/' }).bluesky).toEqual({
        serviceUrl: 'https://pds.example.org',
      });
    });

    it('refuses a service URL that is not one, naming the variable', () => {
      const error = failure({ ...valid, BLUESKY_SERVICE_URL: 'bsky.social' });
      expect(error.variable).toBe('BLUESKY_SERVICE_URL');
      expect(error.message).toMatch(/a URL starting with http:\/\/ or https:\/\//);
    });
  });
});
