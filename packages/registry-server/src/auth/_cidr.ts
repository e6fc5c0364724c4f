// IPv4 CIDR checks for `npm token create --cidr` (npm itself accepts only IPv4 lists).
// Hand-written: a dozen lines, and no dependency here may use node:net (Workers).

function ipv4(text: string): number | null {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(text.trim());
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** True when `cidr` is a valid IPv4 CIDR (`10.0.0.0/8`) or a bare IPv4 address. */
export function isIpv4Cidr(cidr: unknown): cidr is string {
  if (typeof cidr !== 'string') return false;
  const [addr, bits, extra] = cidr.split('/');
  if (extra !== undefined || ipv4(addr ?? '') === null) return false;
  return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
}

/** True when `address` lies in one of `cidrs`. */
export function inCidrs(address: string | null, cidrs: readonly string[]): boolean {
  const ip = address === null ? null : ipv4(address);
  if (ip === null) return false;
  return cidrs.some((cidr) => {
    const [addr, bitsText] = cidr.split('/');
    const base = ipv4(addr ?? '');
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (base === null) return false;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((ip & mask) >>> 0) === ((base & mask) >>> 0);
  });
}
