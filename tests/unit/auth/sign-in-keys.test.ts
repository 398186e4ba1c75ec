import { describe, expect, it } from 'vitest';
import {
  DEVICE_COOKIE_MAX_AGE_MS,
  DEVICE_MAX_ACCOUNTS,
  deviceCookieKey,
  issueDeviceCookie,
  readDeviceCookie,
} from '../../../services/auth/device-cookie.js';
import { addressKey, lockDurationMs, throttleKeys } from '../../../services/auth/login-throttle.js';
import {
  domainAndParents,
  domainOfEmail,
  emailDomain,
} from '../../../services/trust-domains/email-domain.js';

const key = deviceCookieKey(Buffer.alloc(32, 7));

describe('the address a sign-in throttle counts', () => {
  it('counts an IPv6 address by its /64, so rotating within it gains nothing', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
  it('keeps an IPv4 address whole, also when it arrives IPv4-mapped', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });
  it('judges an unknown device by (address, account) and address; a known device by itself', () => {
    expect(throttleKeys({ email: 'a@s.test', address: '2001:db8:1:2::9', deviceId: null })).toEqual([
      { kind: 'pair', key: '2001:db8:1:2::/64|a@s.test' },
      { kind: 'address', key: '2001:db8:1:2::/64' },
    ]);
    expect(throttleKeys({ email: 'a@s.test', address: '10.0.0.1', deviceId: 'dev' })).toEqual([
      { kind: 'device', key: 'dev|a@s.test' },
    ]);
  });
  it('backs off from 30 s, doubling, to at most 15 minutes', () => {
    expect(lockDurationMs(5, 4)).toBe(0);
    expect(lockDurationMs(5, 5)).toBe(30_000);
    expect(lockDurationMs(5, 6)).toBe(60_000);
    expect(lockDurationMs(5, 500)).toBe(15 * 60_000);
  });
});

describe('the device cookie', () => {
  it('names the device and its accounts, most recent first, and survives a round trip', () => {
    const first = issueDeviceCookie(key, null, 'user-a');
    const known = readDeviceCookie(key, first)!;
    expect(known.userIds).toEqual(['user-a']);
    const second = readDeviceCookie(key, issueDeviceCookie(key, known, 'user-b'))!;
    expect(second).toEqual({ deviceId: known.deviceId, userIds: ['user-b', 'user-a'] });
  });
  it('keeps at most the most recent accounts of a shared computer', () => {
    let known = null as ReturnType<typeof readDeviceCookie>;
    for (let i = 0; i < DEVICE_MAX_ACCOUNTS + 3; i++)
      known = readDeviceCookie(key, issueDeviceCookie(key, known, `u${i}`));
    expect(known!.userIds).toHaveLength(DEVICE_MAX_ACCOUNTS);
    expect(known!.userIds[0]).toBe(`u${DEVICE_MAX_ACCOUNTS + 2}`);
  });
  it('refuses a forged, edited, foreign-keyed or expired cookie', () => {
    const value = issueDeviceCookie(key, null, 'user-a');
    const [version, device, issued, , mac] = value.split('.');
    expect(readDeviceCookie(key, [version, device, issued, 'user-b', mac].join('.'))).toBeNull();
    expect(readDeviceCookie(deviceCookieKey(Buffer.alloc(32, 8)), value)).toBeNull();
    expect(readDeviceCookie(key, 'garbage')).toBeNull();
    expect(readDeviceCookie(key, undefined)).toBeNull();
    const old = issueDeviceCookie(
      key,
      null,
      'user-a',
      new Date(Date.now() - DEVICE_COOKIE_MAX_AGE_MS - 1000),
    );
    expect(readDeviceCookie(key, old)).toBeNull();
  });
});

describe('email domains', () => {
  it('reads the domain of an address, and every domain above it', () => {
    expect(domainOfEmail('Ann.Lee@Staff.Example-Trust.org.uk')).toBe('staff.example-trust.org.uk');
    expect(domainAndParents('staff.example.org')).toEqual(['staff.example.org', 'example.org', 'org']);
  });
  it('accepts a domain name as typed, and refuses what is not one', () => {
    expect(emailDomain.parse(' Example-Trust.ORG. ')).toBe('example-trust.org');
    for (const bad of ['localhost', 'not a domain', '-bad.org', 'a..b', 'x_y.org', '@example.org'])
      expect(emailDomain.safeParse(bad).success, bad).toBe(false);
  });
});
