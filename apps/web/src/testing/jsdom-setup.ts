// jsdom lacks a few globals that browsers (and Node) have: the protocol
// library hashes its content with TextEncoder at import time, the form
// library copies state with structuredClone.
import { TextDecoder, TextEncoder } from 'node:util';
import { deserialize, serialize } from 'node:v8';

Object.assign(globalThis, {
  TextEncoder,
  TextDecoder,
  structuredClone: <T>(value: T): T => deserialize(serialize(value)) as T,
});
