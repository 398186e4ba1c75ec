import { describe, expect, it } from 'vitest';
import { checkExternalTierAddresses } from '../../../services/classification/external-tiers.js';

const resolveTo = (addresses: string[]) => async () => addresses;
const guardAt = (url: string, allowPrivateNetwork: boolean) => ({
  guard: { url, model: 'llama-guard3', timeoutMs: 1_000, allowPrivateNetwork },
});

describe('outside classifier addresses, resolved at worker start-up', () => {
  it('refuse a host name that resolves into the private network unless the installation allows it', async () => {
    const url = 'https://guard.school.internal/v1/chat/completions';
    await expect(checkExternalTierAddresses(guardAt(url, false), resolveTo(['10.0.0.5']))).rejects.toThrow(
      /GUARD_MODEL_URL must be a public address, not a private network address/,
    );
    await expect(
      checkExternalTierAddresses(guardAt(url, true), resolveTo(['10.0.0.5'])),
    ).resolves.toBeUndefined();
  });

  it('refuse a name that leads to a cloud metadata address even when private is allowed', async () => {
    const url = 'https://guard.example.org/v1/chat/completions';
    await expect(
      checkExternalTierAddresses(guardAt(url, true), resolveTo(['169.254.169.254'])),
    ).rejects.toThrow(/GUARD_MODEL_URL.*metadata/);
  });

  it('refuse a moderation endpoint that resolves to this machine, and one that does not resolve', async () => {
    const moderation = {
      moderation: {
        url: 'https://moderation.example.org/v1/moderations',
        model: 'm',
        apiKey: 'k',
        timeoutMs: 1_000,
      },
    };
    await expect(checkExternalTierAddresses(moderation, resolveTo(['127.0.0.1']))).rejects.toThrow(
      /MODERATION_URL must be a public address, not a loopback address/,
    );
    await expect(
      checkExternalTierAddresses(moderation, async () => {
        throw new Error('ENOTFOUND');
      }),
    ).rejects.toThrow(/MODERATION_URL: moderation.example.org does not resolve/);
    await expect(
      checkExternalTierAddresses(moderation, resolveTo(['93.184.216.34'])),
    ).resolves.toBeUndefined();
  });
});
