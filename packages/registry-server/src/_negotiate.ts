import Negotiator from 'negotiator';

const ABBREVIATED = 'application/vnd.npm.install-v1+json';

/**
 * Which packument form and encoding a GET asked for, by the q-values of Accept and Accept-Encoding
 * (negotiator): `q=0` refuses a form or `gzip`. The full document is the default for any other
 * Accept, as npm's registry answers.
 * @example
 * negotiate(new Headers({ accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, *\/*' })); // { abbreviated: true, gzip: false }
 */
export function negotiate(headers: Headers): Negotiated {
  const accept = headers.get('accept');
  const encoding = headers.get('accept-encoding');
  // clients repeat their headers: the answers are kept per pair (bounded in count and length)
  // (a header value never holds NUL, so it marks an absent header)
  const key = (accept?.length ?? 0) + (encoding?.length ?? 0) < 512 ? `${accept ?? '\0'}\n${encoding ?? '\0'}` : null;
  const known = key === null ? undefined : answers.get(key);
  if (known) return known;
  const answer = Object.freeze(decideForm(accept, encoding));
  if (key !== null) {
    if (answers.size >= 256) answers.clear();
    answers.set(key, answer);
  }
  return answer;
}

/** What {@link negotiate} returns (shared between calls: frozen). */
export type Negotiated = Readonly<{ abbreviated: boolean; gzip: boolean }>;

const answers = new Map<string, Negotiated>();

function decideForm(accept: string | null, encoding: string | null): { abbreviated: boolean; gzip: boolean } {
  const n = new Negotiator({ headers: { ...(accept ? { accept } : {}), ...(encoding ? { 'accept-encoding': encoding } : {}) } });
  const abbreviated = accept !== null && accept.includes(ABBREVIATED) && n.mediaType(['application/json', ABBREVIATED]) === ABBREVIATED;
  const gzip = encoding !== null && n.encodings(['gzip']).includes('gzip');
  return { abbreviated, gzip };
}
