// Hand-written glob (a dozen lines) instead of a dependency: key patterns need only `**` (anything),
// `*` (anything but `/`) and `?` (one character but `/`); everything else is literal.
const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      src += '.*';
      i++;
    } else if (c === '*') src += '[^/]*';
    else if (c === '?') src += '[^/]';
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`);
  cache.set(pattern, re);
  return re;
}

export const globMatch = (pattern: string, value: string): boolean => globToRegExp(pattern).test(value);
