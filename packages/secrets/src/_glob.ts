import picomatch from 'picomatch/posix.js';

// Key patterns: `**` anything, `*` anything but `/`, `?` one character but `/` (picomatch, posix).
const cache = new Map<string, (value: string) => boolean>();

export function globMatch(pattern: string, value: string): boolean {
  let matcher = cache.get(pattern);
  if (!matcher) {
    matcher = picomatch(pattern, { dot: true });
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, matcher);
  }
  return matcher(value);
}
