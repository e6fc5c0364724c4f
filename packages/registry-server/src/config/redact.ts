import type { RegistryConfig } from './types.ts';

const REDACTED = '[redacted]';

function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (!url.password && !url.username) return text;
    if (url.password) url.password = REDACTED;
    return url.toString();
  } catch {
    return text;
  }
}

/**
 * A copy of `config` safe to print: the token secret, the storage secret key and any password in an
 * uplink URL replaced by `[redacted]`; the access key id cut to its first 4 characters.
 * @example
 * console.log(JSON.stringify(redactConfig(config), null, 2)); // registry:config:load
 */
export function redactConfig(config: RegistryConfig): RegistryConfig {
  const out = structuredClone(config);
  if (out.auth.secret) out.auth.secret = REDACTED;
  if (out.storage.driver === 's3') {
    out.storage.secretAccessKey = REDACTED;
    out.storage.accessKeyId = `${out.storage.accessKeyId.slice(0, 4)}…`;
  }
  for (const uplink of Object.values(out.uplinks)) uplink.url = redactUrl(uplink.url);
  return out;
}
