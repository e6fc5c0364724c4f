import { RegistryError } from '../errors.ts';

// A small structural checker: every failure names the field (`packages[2].publish`) and the file.
// Hand-written rather than a schema library so that messages read as plain sentences and the
// package gains no dependency for a dozen field types.

export type Obj = Record<string, unknown>;

export class Checker {
  constructor(readonly source: string) {}

  fail(field: string, message: string): never {
    throw new RegistryError('INVALID_CONFIG', `${this.source}: ${field} ${message}`);
  }

  object(value: unknown, field: string, allowed?: readonly string[]): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field || 'the config', 'must be an object');
    if (allowed) {
      for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) this.fail(field ? `${field}.${key}` : key, `is not a known setting (known: ${allowed.join(', ')})`);
      }
    }
    return value as Obj;
  }

  string(value: unknown, field: string, { nonEmpty = true } = {}): string {
    if (typeof value !== 'string' || (nonEmpty && value.trim() === '')) this.fail(field, nonEmpty ? 'must be a non-empty string' : 'must be a string');
    return value;
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
    return value;
  }

  integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be a whole number from ${min} to ${max}`);
    }
    return value;
  }

  strings(value: unknown, field: string): string[] {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) this.fail(field, 'must be an array of strings');
    return value as string[];
  }

  oneOf<T extends string>(value: unknown, field: string, options: readonly T[]): T {
    if (typeof value !== 'string' || !options.includes(value as T)) this.fail(field, `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`);
    return value as T;
  }

  url(value: unknown, field: string): string {
    const text = this.string(value, field);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail(field, `must be an http(s) URL, got ${JSON.stringify(text)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') this.fail(field, `must be an http(s) URL, got ${JSON.stringify(text)}`);
    return text;
  }
}
