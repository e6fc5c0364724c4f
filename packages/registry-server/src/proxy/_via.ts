/** The header that lists the registries a proxied request went through (loop detection). */
export const VIA_HEADER = 'x-fw-via';

/** The registry ids in a request's `x-fw-via` header (at most 16, each at most 64 characters). */
export function viaOf(req: Request): string[] {
  const raw = req.headers.get(VIA_HEADER);
  if (!raw) return [];
  return raw.split(',').map((s) => s.trim().slice(0, 64)).filter(Boolean).slice(0, 16);
}

/** Seconds as the largest whole unit: 86400 -> "1d", 5400 -> "90m", 45 -> "45s". */
export function formatAge(seconds: number): string {
  for (const [unit, size] of [['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
