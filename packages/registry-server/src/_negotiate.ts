import Negotiator from 'negotiator';

const ABBREVIATED = 'application/vnd.npm.install-v1+json';

/**
 * Which packument form and encoding a GET asked for, by the q-values of Accept and Accept-Encoding
 * (negotiator): `q=0` refuses a form or `gzip`. The full document is the default for any other
 * Accept, as npm's registry answers.
 * @example
 * negotiate(new Headers({ accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, *\/*' })); // { abbreviated: true, gzip: false }
 */
export function negotiate(headers: Headers): { abbreviated: boolean; gzip: boolean } {
  const accept = headers.get('accept');
  const encoding = headers.get('accept-encoding');
  const n = new Negotiator({ headers: { ...(accept ? { accept } : {}), ...(encoding ? { 'accept-encoding': encoding } : {}) } });
  const abbreviated = accept !== null && accept.includes(ABBREVIATED) && n.mediaType(['application/json', ABBREVIATED]) === ABBREVIATED;
  const gzip = encoding !== null && n.encodings(['gzip']).includes('gzip');
  return { abbreviated, gzip };
}
