import type { RenderableGraph } from '../src/index.ts';

export const SMALL: RenderableGraph = {
  name: 'demo',
  current: '2.1.0',
  latest: '3.0.0-beta.0',
  total: 6,
  nodes: [
    { id: '3.0.0-beta.0', status: 'rollback', tags: ['next'], publishedAt: '2024-05-01T12:00:00.000Z', publisher: 'alice', deprecated: null, line: '3.0.0-pre', prerelease: true },
    { id: '2.1.0', status: 'current', tags: ['latest'], publishedAt: '2024-04-01T12:00:00.000Z', publisher: 'alice', deprecated: null, line: '2.x', prerelease: false },
    { id: '2.0.1', status: 'deprecated', tags: [], publishedAt: '2024-03-05T12:00:00.000Z', publisher: 'bob', deprecated: 'broken build,\n use 2.1.0', line: '2.x', prerelease: false },
    { id: '2.0.0', status: 'rollback', tags: [], publishedAt: '2024-03-01T12:00:00.000Z', publisher: null, deprecated: null, line: '2.x', prerelease: false },
    { id: '1.1.0', status: 'archived', tags: [], publishedAt: null, publisher: 'carol', deprecated: null, line: '1.x', prerelease: false },
    { id: '1.0.0', status: 'archived', tags: [], publishedAt: '2024-01-01T12:00:00.000Z', publisher: 'carol', deprecated: null, line: '1.x', prerelease: false },
  ],
  links: [
    { source: '1.0.0', target: '1.1.0', type: 'minor' },
    { source: '1.1.0', target: '2.0.0', type: 'major' },
    { source: '2.0.0', target: '2.0.1', type: 'patch' },
    { source: '2.0.1', target: '2.1.0', type: 'minor' },
  ],
};
