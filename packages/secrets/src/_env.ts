// Environment helpers of the manager.

export function numberOr(text: string | undefined): number | undefined {
  const n = text === undefined || text === '' ? Number.NaN : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

export function osUser(): string {
  try {
    // node:os is present on Bun and Node; Workers callers pass `actor`.
    return (process as unknown as { getBuiltinModule?: (m: string) => typeof import('node:os') }).getBuiltinModule?.('node:os')?.userInfo().username ?? process.env.USER ?? 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
