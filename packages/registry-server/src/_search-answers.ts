import type { Readable } from './_readable.ts';

interface Kept {
  time: string;
  body: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();

/**
 * The encoded `/-/v1/search` answers of the current second, per caller's readable entries (one object
 * per index view and rights: a change of the index or of the rules is a new one) and query. An answer
 * names the second it was given in (`time`), so a repeat of a query within that second is the kept
 * bytes, with no result objects, JSON or encoding; the next second answers afresh. At most `max`
 * queries per readable set (`index.searchQueries`, the least recently asked goes first); 0 keeps none.
 * Only for answers of the index alone: the route does not keep one that asked an uplink.
 * @example
 * const answers = new SearchAnswers(64);
 * const body = await answers.answer(seen, 'widget\n20\n0', now.toUTCString(), async () => answerOf(seen));
 */
export class SearchAnswers {
  private readonly kept = new WeakMap<Readable, Map<string, Kept>>();
  constructor(private readonly max: number) {}

  /** The answer's bytes for `query` at `time`, made by `make` (then kept) when not kept. */
  async answer(seen: Readable, query: string, time: string, make: () => Promise<unknown>): Promise<Uint8Array<ArrayBuffer>> {
    let queries = this.kept.get(seen);
    const held = queries?.get(query);
    if (held?.time === time) {
      queries!.delete(query); // least recently asked first
      queries!.set(query, held);
      return held.body;
    }
    const body = encoder.encode(JSON.stringify(await make()));
    if (this.max <= 0) return body;
    if (!queries) this.kept.set(seen, (queries = new Map()));
    queries.delete(query);
    queries.set(query, { time, body });
    while (queries.size > this.max) queries.delete(queries.keys().next().value!);
    return body;
  }
}
