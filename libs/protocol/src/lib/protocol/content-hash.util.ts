import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';

/**
 * `sha256:<hex>` of the RFC 8785 canonical JSON of `value`: the same content
 * gives the same hash whatever the key order or whitespace.
 */
export function contentHash(value: unknown): string {
  const canonical = canonicalize(value);
  if (canonical === undefined) throw new Error('value has no JSON form');
  return `sha256:${bytesToHex(sha256(utf8ToBytes(canonical)))}`;
}
