import { describe, expect, it } from 'vitest';
import {
  forbiddenAddressReason,
  outboundPolicy,
  resolveOutbound,
} from '../../../services/core/outbound-address.js';

const resolving =
  (answers: Record<string, string[]>) =>
  async (hostname: string): Promise<string[]> => {
    const found = answers[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };

describe('forbiddenAddressReason', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['::1', /loopback/],
    ['10.0.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['169.254.10.1', /link-local/],
    ['169.254.169.254', /cloud metadata/],
    ['168.63.129.16', /cloud metadata/],
    ['fd00:ec2::254', /cloud metadata/],
    ['fe80::1', /link-local/],
    ['fc00::1', /unique-local/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['239.1.2.3', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::ffff:10.0.0.1', /private/],
    ['::ffff:169.254.169.254', /cloud metadata/],
    ['::7f00:1', /reserved/],
    ['64:ff9b::7f00:1', /reserved/],
    ['2002:7f00:1::', /reserved/],
    ['192.0.2.1', /reserved/],
    ['240.0.0.1', /reserved/],
  ])('refuses %s', (address, why) => {
    expect(forbiddenAddressReason(address)).toMatch(why);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:93.184.215.14'])('allows %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeNull();
  });
});

describe('resolveOutbound', () => {
  it('refuses a name if any one of its addresses is internal, and answers the first address otherwise', async () => {
    const policy = outboundPolicy(
      [],
      resolving({
        'mixed.example': ['93.184.215.14', '10.0.0.5'],
        'ok.example': ['2606:4700::1111', '8.8.8.8'],
      }),
    );
    expect(await resolveOutbound(new URL('https://mixed.example/'), policy)).toEqual({
      ok: false,
      notFound: false,
      reason: 'a private network address',
    });
    expect(await resolveOutbound(new URL('https://ok.example/'), policy)).toEqual({
      ok: true,
      address: '2606:4700::1111',
      family: 6,
      allowListed: false,
    });
    expect(await resolveOutbound(new URL('https://missing.example/'), policy)).toEqual({
      ok: false,
      notFound: true,
    });
  });

  it('lets through what WEBHOOK_ALLOWED_HOSTS lists: a name, an address, a CIDR (IPv4-mapped too)', async () => {
    const policy = outboundPolicy(
      ['relay.internal.example', '10.1.2.3', '192.168.50.0/24'],
      resolving({
        'relay.internal.example': ['10.9.9.9'],
        'other.internal.example': ['10.1.2.3', '10.1.2.4'],
      }),
    );
    const check = (url: string) => resolveOutbound(new URL(url), policy);
    expect(await check('http://relay.internal.example/')).toMatchObject({
      ok: true,
      address: '10.9.9.9',
      allowListed: true,
    });
    expect(await check('http://10.1.2.3/')).toMatchObject({ ok: true, allowListed: true });
    expect(await check('http://[::ffff:192.168.50.7]/')).toMatchObject({ ok: true, allowListed: true });
    expect(await check('http://192.168.51.7/')).toMatchObject({
      ok: false,
      reason: 'a private network address',
    });
    // One listed address does not vouch for an unlisted one beside it.
    expect(await check('http://other.internal.example/')).toMatchObject({ ok: false });
  });

  it('refuses cloud metadata names without asking DNS', async () => {
    const policy = outboundPolicy([], async () => {
      throw new Error('must not be asked');
    });
    for (const name of ['metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'metadata', 'instance-data'])
      expect(await resolveOutbound(new URL(`https://${name}/`), policy)).toEqual({
        ok: false,
        notFound: false,
        reason: 'a cloud metadata address',
      });
  });
});
