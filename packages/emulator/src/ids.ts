import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(time: number): string {
  let out = '';
  let value = time;
  for (let i = 0; i < 10; i += 1) {
    out = CROCKFORD.charAt(value % 32) + out;
    value = Math.floor(value / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return Array.from(randomBytes(16), (byte) => byte % 32);
}

/** Increments the random part in base 32 so ids made in the same millisecond still sort by creation. */
function incrementRandom(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i -= 1) {
    const digit = next[i] ?? 0;
    if (digit < 31) {
      next[i] = digit + 1;
      return next;
    }
    next[i] = 0;
  }

  // Reached only after 2^80 ids in one millisecond; wrapping to zero keeps the id well-formed.
  return next;
}

/**
 * Creates a ULID: 26 Crockford base32 characters, a 48-bit millisecond
 * timestamp followed by 80 random bits. Ids made in the same millisecond are
 * monotonic, so sorting ids sorts by creation.
 */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = incrementRandom(lastRandom);
  } else {
    lastTime = now;
    lastRandom = freshRandom();
  }
  return encodeTime(lastTime) + lastRandom.map((digit) => CROCKFORD.charAt(digit)).join('');
}

/** Creates a WorkOS-style id, `<prefix>_<ULID>`. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}
