import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** The shortest password accepted (configuration and user administration). */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * scrypt's work factor as log2 of N (memory-hard: N=2^cost with r=8 takes
 * 128·8·N bytes, 32 MiB at the default 15). An institution may raise it
 * (OWASP advises 17 where logins may take longer); below 15 is for tests,
 * where every user signs in (PASSWORD_SCRYPT_COST, the README's table).
 */
export const DEFAULT_SCRYPT_COST = 15;
/** The work factors a stored hash or the setting may name. */
export const MIN_SCRYPT_COST = 10;
export const MAX_SCRYPT_COST = 18;
const R = 8;
const P = 1;
const KEY_LENGTH = 64;
/** scrypt's own memory bound: twice what the hash needs (128·r·N bytes). */
const BLOCK_BYTES = 128;

/**
 * Password hashes computed at once: scrypt runs on libuv's thread pool
 * (four threads), which file access and other crypto share; a burst of
 * logins must not take all of it (32 parallel logins slowed every page from
 * 2 ms to 3 s). Further hashes wait their turn.
 */
const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) {
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running += 1;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

interface ScryptParameters {
  readonly cost: number;
  readonly r: number;
  readonly p: number;
}

function derive(
  password: string,
  salt: Buffer,
  parameters: ScryptParameters,
): Promise<Buffer> {
  return limited(() => scryptAsync(password, salt, parameters));
}

function scryptAsync(
  password: string,
  salt: Buffer,
  { cost, r, p }: ScryptParameters,
): Promise<Buffer> {
  const N = 2 ** cost;
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      KEY_LENGTH,
      { N, r, p, maxmem: 2 * BLOCK_BYTES * r * N },
      (error, key) => {
        if (error) reject(error);
        else resolve(key);
      },
    );
  });
}

/**
 * A stored hash, `scrypt$N$r$p$salt$key`: its parameters (each within what
 * this service writes, so that a forged row cannot make a login take
 * minutes or gigabytes) and its parts, or null when it is not one.
 */
function parseStored(
  stored: string,
): { parameters: ScryptParameters; salt: Buffer; key: Buffer } | null {
  const [scheme, n = '', r = '', p = '', salt, key, extra] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key || extra !== undefined) return null;
  if (![n, r, p].every((part) => /^[1-9]\d{0,8}$/.test(part))) return null;
  const cost = Math.log2(Number(n));
  if (
    !Number.isInteger(cost) ||
    cost < MIN_SCRYPT_COST ||
    cost > MAX_SCRYPT_COST ||
    Number(r) !== R ||
    Number(p) !== P
  ) {
    return null;
  }
  return {
    parameters: { cost, r: R, p: P },
    salt: Buffer.from(salt, 'base64'),
    key: Buffer.from(key, 'base64'),
  };
}

/** A new salted hash at the given work factor (log2 N). */
export async function hashPassword(
  password: string,
  cost: number = DEFAULT_SCRYPT_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { cost, r: R, p: P });
  return `scrypt$${2 ** cost}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether the password matches, at the work factor the hash was made with. */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<boolean> {
  const parsed = parseStored(stored);
  if (parsed === null) return false;
  const actual = await derive(password, parsed.salt, parsed.parameters);
  return (
    parsed.key.length === actual.length && timingSafeEqual(parsed.key, actual)
  );
}

/** The work factor (log2 N) a stored hash was made at; null: not one of ours. */
export function hashWorkFactor(stored: string): number | null {
  return parseStored(stored)?.parameters.cost ?? null;
}

/**
 * Whether a hash that just matched should be made again: it was made at a
 * lower work factor than the one set now (raised, it is raised at the
 * user's next login; lowered, no hash is weakened).
 */
export function needsRehash(stored: string, cost: number): boolean {
  const made = hashWorkFactor(stored);
  return made !== null && made < cost;
}
