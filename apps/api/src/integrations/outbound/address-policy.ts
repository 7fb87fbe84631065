import { isIP } from 'node:net';

/**
 * Which IP addresses outbound requests (provider base URLs, media downloads) must never reach:
 * loopback, private networks, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast and
 * reserved ranges. Pure functions, so the guard can run them on literals and on DNS answers alike.
 */

type V4Range = readonly [base: readonly [number, number, number, number], prefix: number];

const PRIVATE_V4: readonly V4Range[] = [
  [[0, 0, 0, 0], 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10], // carrier-grade NAT
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16], // link-local, cloud metadata
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // TEST-NET-1
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // TEST-NET-2
  [[203, 0, 113, 0], 24], // TEST-NET-3
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, includes 255.255.255.255
];

function parseV4(ip: string): [number, number, number, number] | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (bytes.some((b) => !(b >= 0 && b <= 255))) return undefined;
  return bytes as [number, number, number, number];
}

function inV4Range(bytes: readonly number[], [base, prefix]: V4Range): boolean {
  let bits = prefix;
  for (let i = 0; i < 4 && bits > 0; i++) {
    const take = Math.min(8, bits);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return false;
    bits -= take;
  }
  return true;
}

function isPrivateV4(bytes: readonly number[]): boolean {
  return PRIVATE_V4.some((range) => inV4Range(bytes, range));
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or undefined if malformed. */
function parseV6(input: string): number[] | undefined {
  let ip = input.replace(/^\[|\]$/g, '');
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  // A trailing dotted IPv4 (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = ip.lastIndexOf(':');
  if (ip.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(ip.slice(lastColon + 1));
    if (!v4) return undefined;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    ip = `${ip.slice(0, lastColon + 1)}${hex(v4[0], v4[1])}:${hex(v4[2], v4[3])}`;
  }
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = toGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const known = head.length + rest.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const zeros = halves.length === 2 ? new Array<string>(8 - known).fill('0') : [];
  return [...head, ...zeros, ...rest].map((g) => parseInt(g, 16));
}

function embeddedV4(groups: readonly number[], at: number): number[] {
  const hi = groups[at] ?? 0;
  const lo = groups[at + 1] ?? 0;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function isPrivateV6(g: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0] = g;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  // ::ffff:a.b.c.d (IPv4-mapped): the socket talks IPv4, so the embedded address decides.
  if (zeroUpTo(5) && g5 === 0xffff) return isPrivateV4(embeddedV4(g, 6));
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible form; none is a public peer.
  if (zeroUpTo(6)) return true;
  // 64:ff9b::/96 (NAT64): the gateway forwards to the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isPrivateV4(embeddedV4(g, 6));
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return true; // 64:ff9b:1::/48, local NAT64
  // 2002::/16 (6to4) embeds an IPv4 address in the next 32 bits.
  if (g0 === 0x2002) return isPrivateV4(embeddedV4(g, 1));
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard-only
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  return false;
}

/**
 * True when `ip` is an address outbound requests must not reach. Anything that is not a valid IP
 * literal also answers true: callers pass resolved addresses, so failing closed is the safe side.
 */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  const zoneless = bare.split('%')[0] ?? '';
  switch (isIP(zoneless)) {
    case 4: {
      const bytes = parseV4(zoneless);
      return bytes ? isPrivateV4(bytes) : true;
    }
    case 6: {
      const groups = parseV6(zoneless);
      return groups ? isPrivateV6(groups) : true;
    }
    default:
      return true;
  }
}

/** True for an IPv4 or IPv6 literal (brackets allowed, as in `URL.hostname`). */
export function isIpLiteral(host: string): boolean {
  return isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}
