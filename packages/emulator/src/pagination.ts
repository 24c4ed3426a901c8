import { invalidField } from './errors.js';
import type { Json } from './serialize.js';
import type { State } from './state.js';

/** Pagination parameters read from a query string. */
export interface PageRequest {
  limit: number;
  before: string | null;
  after: string | null;
  order: 'asc' | 'desc';
}

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

/** Reads and validates `limit`, `before`, `after` and `order`. */
export function readPageRequest(query: URLSearchParams): PageRequest {
  const rawLimit = query.get('limit');
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== null && rawLimit !== '') {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw invalidField('limit', 'invalid_limit', `limit must be an integer between 1 and ${MAX_LIMIT}, got '${rawLimit}'.`);
    }
  }

  const rawOrder = query.get('order') ?? 'desc';
  if (rawOrder !== 'asc' && rawOrder !== 'desc' && rawOrder !== 'normal') {
    throw invalidField('order', 'invalid_order', `order must be 'asc', 'desc' or 'normal', got '${rawOrder}'.`);
  }

  const before = query.get('before') || null;
  const after = query.get('after') || null;
  if (before !== null && after !== null) {
    throw invalidField('before', 'invalid_pagination', 'Pass either before or after, not both.');
  }

  // NOTE: 'normal' is read as the default descending order.
  return { limit, before, after, order: rawOrder === 'asc' ? 'asc' : 'desc' };
}

/** A list response: `{ object: 'list', data, list_metadata }`. */
export interface ListEnvelope {
  object: 'list';
  data: Json[];
  list_metadata: { before: string | null; after: string | null };
}

/**
 * Sorts items by creation, cuts the page the request names and renders it.
 * A cursor is an object id compared by creation order, so a cursor whose
 * object was deleted meanwhile still works.
 */
export function paginate<T extends { id: string }>(
  state: State,
  items: Iterable<T>,
  page: PageRequest,
  render: (item: T) => Json,
): ListEnvelope {
  const sequenceOf = (id: string): number => state.sequenceOf(id) ?? 0;
  const sorted = [...items].sort((a, b) => sequenceOf(a.id) - sequenceOf(b.id));
  if (page.order === 'desc') {
    sorted.reverse();
  }

  // Position of a cursor: items strictly "after" it in the current order come next.
  const comesAfter = (id: string, cursor: string): boolean => {
    const difference = sequenceOf(id) - sequenceOf(cursor);
    return page.order === 'asc' ? difference > 0 : difference < 0;
  };

  let start = 0;
  let end = sorted.length;
  if (page.after !== null) {
    const cursor = page.after;
    start = sorted.findIndex((item) => comesAfter(item.id, cursor));
    if (start === -1) {
      start = sorted.length;
    }
    end = Math.min(sorted.length, start + page.limit);
  } else if (page.before !== null) {
    const cursor = page.before;
    const firstAtOrAfter = sorted.findIndex((item) => !comesAfter(cursor, item.id));
    end = firstAtOrAfter === -1 ? sorted.length : firstAtOrAfter;
    start = Math.max(0, end - page.limit);
  } else {
    end = Math.min(sorted.length, page.limit);
  }

  const slice = sorted.slice(start, end);
  const first = slice[0];
  const last = slice[slice.length - 1];
  return {
    object: 'list',
    data: slice.map(render),
    list_metadata: {
      before: start > 0 && first !== undefined ? first.id : null,
      after: end < sorted.length && last !== undefined ? last.id : null,
    },
  };
}
