import type * as z from 'zod/mini';

/**
 * Validation failures in words a user can act on ("clientId is required", "flow must be one of
 * …"). zod/mini ships no messages of its own (every default is "Invalid input"), so the ones our
 * schemas do not set are written here from the issue and the offending value.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, root = ''): string {
  return issues
    .map((i) => [i.path.length ? i.path.join('.') : root, explain(i, valueAt(input, i.path))].filter(Boolean).join(' '))
    .join('; ');
}

const DEFAULT_MESSAGE = 'Invalid input';

function explain(i: z.core.$ZodIssue, value: unknown): string {
  if (i.message && i.message !== DEFAULT_MESSAGE) return i.message;
  switch (i.code) {
    case 'invalid_type':
      return value === undefined
        ? 'is required'
        : `must be ${withArticle(i.expected === 'record' ? 'object' : i.expected)}, not ${kindOf(value)}`;
    case 'invalid_value':
      return value === undefined
        ? 'is required'
        : `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return unit(i.origin) ? `must have at least ${i.minimum} ${unit(i.origin)}` : `must be at least ${i.minimum}`;
    case 'too_big':
      return unit(i.origin) ? `must have at most ${i.maximum} ${unit(i.origin)}` : `must be at most ${i.maximum}`;
    case 'unrecognized_keys':
      return `has unknown ${i.keys.length === 1 ? 'field' : 'fields'} ${i.keys.join(', ')}`;
    default:
      return 'is not valid';
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  return withArticle(typeof v);
}

const withArticle = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
const unit = (origin: string) =>
  origin === 'string' ? 'characters' : origin === 'array' || origin === 'set' ? 'items' : '';
