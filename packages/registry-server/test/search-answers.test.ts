// The search answers kept encoded for the second they name (`time`): with the clock stopped, every
// change of the index and every caller's rights still show on the next search.
import { describe, expect, it } from 'vitest';
import type { PackageRule } from '../src/config/types.ts';
import { SearchAnswers } from '../src/_search-answers.ts';
import type { Readable } from '../src/_readable.ts';
import { publish, setup } from './_helpers.ts';

const rules: PackageRule[] = [
  { pattern: 'team-*', access: ['dev'], publish: ['dev'], unpublish: ['dev'] },
  { pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] },
];

describe('search answers kept for the second they name', () => {
  it('shows a publish, a deprecation and each caller its own hits on the next search, within one second', async () => {
    const frozen = new Date('2026-03-01T12:00:00.000Z');
    const s = setup({ rules, now: () => frozen, config: { publicUrl: 'http://registry.test', packages: [], uplinks: {}, index: { cacheTtl: 0 } } });
    const search = async (text: string, token?: string) => {
      const res = await s.call('GET', `/-/v1/search?text=${encodeURIComponent(text)}&size=5`, token ? { token } : {});
      expect(res.headers.get('content-type')).toBe('application/json');
      return res.json() as Promise<{ total: number; time: string; objects: Array<{ package: { name: string; version: string }; flags: { deprecated?: string } }> }>;
    };
    await publish(s, 'widget', '1.0.0');
    await publish(s, 'team-widget', '1.0.0');
    const first = await search('widget');
    expect(first.time).toBe(frozen.toUTCString());
    expect(first.objects.map((o) => o.package.name)).toEqual(['widget']);
    expect(await search('widget')).toEqual(first);
    expect((await search('widget', 'tok-ana')).objects.map((o) => o.package.name)).toEqual(['widget', 'team-widget']);
    expect((await search('widget')).objects.map((o) => o.package.name)).toEqual(['widget']);
    await publish(s, 'widget', '2.0.0');
    await publish(s, 'widget-two', '1.0.0');
    const after = await search('widget');
    expect(after.total).toBe(2);
    expect(after.objects.map((o) => `${o.package.name}@${o.package.version}`)).toEqual(['widget@2.0.0', 'widget-two@1.0.0']);
    expect((await s.call('PUT', '/widget-two', { token: 'tok-ana', body: { versions: { '1.0.0': { deprecated: 'use widget' } } } })).status).toBe(200);
    expect((await search('widget')).objects[1]!.flags).toEqual({ deprecated: 'use widget' });
    // the page asked for is part of the query
    expect((await s.call('GET', '/-/v1/search?text=widget&size=1&from=1').then((r) => r.json())).objects[0].package.name).toBe('widget-two');
  });

  it('answers afresh in the next second, keeps at most max queries per caller, and none with 0', async () => {
    const seen = {} as Readable;
    let made = 0;
    const make = async () => ({ n: ++made });
    const answers = new SearchAnswers(2);
    const a = await answers.answer(seen, 'a', 'sec1', make);
    expect(await answers.answer(seen, 'a', 'sec1', make)).toBe(a);
    expect(new TextDecoder().decode(a)).toBe('{"n":1}');
    await answers.answer(seen, 'a', 'sec2', make); // the next second
    expect(made).toBe(2);
    await answers.answer(seen, 'b', 'sec2', make);
    await answers.answer(seen, 'a', 'sec2', make); // served again: b is the oldest
    await answers.answer(seen, 'c', 'sec2', make); // b goes
    expect(made).toBe(4);
    await answers.answer(seen, 'a', 'sec2', make);
    await answers.answer(seen, 'b', 'sec2', make);
    expect(made).toBe(5);
    await answers.answer({} as Readable, 'a', 'sec2', make); // another caller's rights or index view
    expect(made).toBe(6);
    const none = new SearchAnswers(0);
    await none.answer(seen, 'a', 'sec1', make);
    await none.answer(seen, 'a', 'sec1', make);
    expect(made).toBe(8);
  });
});
