import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Every address a host name resolves to (A and AAAA). Tests inject their own. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export const resolveHost: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Where a URL that a user sets (a school's webhook) may lead: public unicast addresses, plus what
 * the installation lists in WEBHOOK_ALLOWED_HOSTS (names, addresses, CIDR ranges).
 */
export interface OutboundPolicy {
  readonly allowedNames: ReadonlySet<string>;
  readonly allowedRanges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
  readonly resolve: ResolveHost;
}

export function outboundPolicy(
  allowedHosts: readonly string[],
  resolve: ResolveHost = resolveHost,
): OutboundPolicy {
  const allowedNames = new Set<string>();
  const allowedRanges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const entry of allowedHosts) {
    if (ipaddr.isValidCIDR(entry)) {
      const [range, bits] = ipaddr.parseCIDR(entry);
      allowedRanges.push(normalisedCidr(range, bits));
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.process(entry);
      allowedRanges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else {
      allowedNames.add(entry.toLowerCase());
    }
  }
  return { allowedNames, allowedRanges, resolve };
}

/** ::ffff:10.0.0.0/104 is 10.0.0.0/8: compare IPv4-mapped ranges as IPv4. */
function normalisedCidr(range: ipaddr.IPv4 | ipaddr.IPv6, bits: number): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (range.kind() === 'ipv6' && bits >= 96 && (range as ipaddr.IPv6).isIPv4MappedAddress())
    return [(range as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [range, bits];
}

/** Names that reach a cloud provider's instance metadata (credentials) from inside the cloud. */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

/**
 * Metadata services on addresses the ranges below do not already refuse (169.254.169.254,
 * fd00:ec2::254 and Alibaba's 100.100.100.200 are link-local, unique-local and CGNAT anyway).
 */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '168.63.129.16']);

const RANGE_REASONS: Record<string, string> = {
  loopback: 'a loopback address (this machine)',
  private: 'a private network address',
  carrierGradeNat: 'a shared (carrier-grade NAT) network address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local (private) IPv6 address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
};

/** Why an address must not be reached from here, or null for a public unicast address. */
export function forbiddenAddressReason(address: string): string | null {
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 it carries.
  const ip = ipaddr.process(address);
  if (METADATA_ADDRESSES.has(ip.toString())) return 'a cloud metadata address';
  const range = ip.range();
  if (range === 'unicast') {
    // ::a.b.c.d (IPv4-compatible, deprecated) is not a public address either.
    const isCompatible = ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0);
    return isCompatible ? 'a reserved or special-purpose address' : null;
  }
  return RANGE_REASONS[range] ?? 'a reserved or special-purpose address';
}

export type OutboundResolution =
  | {
      ok: true;
      /** The address to connect to: the one checked, so DNS cannot change it in between. */
      address: string;
      family: 4 | 6;
      /** Listed in WEBHOOK_ALLOWED_HOSTS (by name, or every address it resolved to). */
      allowListed: boolean;
    }
  | { ok: false; notFound: true }
  | { ok: false; notFound: false; reason: string };

/**
 * Resolves a URL's host once and checks every address it has: one internal address among public
 * ones refuses the lot (the client could pick either). A caller connects to the address returned,
 * never to the name, which closes DNS rebinding between the check and the connection.
 */
export async function resolveOutbound(url: URL, policy: OutboundPolicy): Promise<OutboundResolution> {
  const host = url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  const literal = isIP(host) !== 0;
  const namedAllowed = !literal && policy.allowedNames.has(host);
  if (!literal && !namedAllowed && METADATA_NAMES.has(host))
    return { ok: false, notFound: false, reason: 'a cloud metadata address' };
  let addresses: string[];
  try {
    addresses = literal ? [host] : await policy.resolve(host);
  } catch {
    return { ok: false, notFound: true };
  }
  const valid = addresses.filter((a) => ipaddr.isValid(a));
  if (valid.length === 0) return { ok: false, notFound: true };
  let everyListed = true;
  if (!namedAllowed) {
    for (const address of valid) {
      if (isListed(address, policy)) continue;
      everyListed = false;
      const reason = forbiddenAddressReason(address);
      if (reason) return { ok: false, notFound: false, reason };
    }
  }
  const address = valid[0]!;
  return { ok: true, address, family: isIP(address) === 6 ? 6 : 4, allowListed: everyListed };
}

function isListed(address: string, policy: OutboundPolicy): boolean {
  const ip = ipaddr.process(address);
  return policy.allowedRanges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
}
