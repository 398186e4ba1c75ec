import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A browser someone has signed in from before. The cookie names the device (a random id) and the
 * accounts that signed in on it, signed with a key derived from ENCRYPTION_KEY, so it is checked
 * without a database read and cannot be made up. A known device's right password is accepted
 * whatever strangers at other addresses have done to the account.
 */
export const DEVICE_COOKIE = 'hm_device';
export const DEVICE_COOKIE_MAX_AGE_MS = 180 * 24 * 60 * 60_000;
/** A shared office computer: the most recent accounts signed in on it. */
export const DEVICE_MAX_ACCOUNTS = 10;

export interface KnownDevice {
  deviceId: string;
  userIds: string[];
}

/** The signing key, derived so the encryption key itself never signs anything. */
export function deviceCookieKey(encryptionKey: Buffer): Buffer {
  return createHmac('sha256', encryptionKey).update('hallmonitor device cookie v1').digest();
}

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

/** The cookie value for this device, with this user added as its most recent account. */
export function issueDeviceCookie(
  key: Buffer,
  known: KnownDevice | null,
  userId: string,
  now = new Date(),
): string {
  const deviceId = known?.deviceId ?? randomBytes(16).toString('base64url');
  const userIds = [userId, ...(known?.userIds ?? []).filter((id) => id !== userId)].slice(
    0,
    DEVICE_MAX_ACCOUNTS,
  );
  const payload = `v1.${deviceId}.${now.getTime().toString(36)}.${userIds.join(',')}`;
  return `${payload}.${mac(key, payload)}`;
}

/** The device a cookie names, or null when it is missing, forged, malformed or too old. */
export function readDeviceCookie(
  key: Buffer,
  value: string | undefined,
  now = new Date(),
): KnownDevice | null {
  if (!value || value.length > 2000) return null;
  const cut = value.lastIndexOf('.');
  if (cut < 0) return null;
  const payload = value.slice(0, cut);
  const given = Buffer.from(value.slice(cut + 1));
  const expected = Buffer.from(mac(key, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [version, deviceId, issued, users] = payload.split('.');
  if (version !== 'v1' || !deviceId || !issued || !users) return null;
  const issuedAt = Number.parseInt(issued, 36);
  if (!Number.isFinite(issuedAt) || now.getTime() - issuedAt > DEVICE_COOKIE_MAX_AGE_MS) return null;
  return { deviceId, userIds: users.split(',') };
}
