/**
 * The public URL a server on `host:port` has when none is configured: a wildcard address becomes
 * `localhost`, an IPv6 address gets brackets.
 * @example
 * defaultPublicUrl('0.0.0.0', 4873); // 'http://localhost:4873'
 */
export function defaultPublicUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
