/**
 * The service's secrets, kept apart from the database: a backup or a copy of
 * the data folder carries none of them, and whoever can write the database
 * cannot forge what they authenticate.
 *
 * - the token signing key (HS256), `JWT_SECRET` or `<KEYS_DIR>/jwt-secret`;
 * - the audit key (HMAC-SHA-256 of every audit entry and of each episode's
 *   seal), `AUDIT_KEY` or `<KEYS_DIR>/audit-key`;
 * - the checkpoint key pair (Ed25519): the service signs checkpoints of the
 *   audit with the private key; an auditor checks them with the public key
 *   alone. `<KEYS_DIR>/checkpoint-ed25519.pem`.
 *
 * Generated once when absent, in a folder made 0700, each file 0600.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** A file holding a secret, readable by the service's user alone. */
export const SECRET_FILE_MODE = 0o600;
/** The folder of the secrets, open to the service's user alone. */
export const SECRET_DIR_MODE = 0o700;

export interface CheckpointKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `ed25519:` and the SHA-256 of the public key (SPKI, DER), in hex. */
  readonly keyId: string;
  /** The public key as PEM (SPKI), as checkpoints publish it. */
  readonly publicKeyPem: string;
}

export interface ServiceKeys {
  readonly jwtSecret: string;
  /** The HMAC key of the audit (never stored in the database). */
  readonly audit: KeyObject;
  readonly checkpoint: CheckpointKeys;
}

/** The id of an Ed25519 public key: what an auditor compares. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex')}`;
}

function checkpointKeysOf(privateKey: KeyObject): CheckpointKeys {
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Fresh keys held in memory only (tests, benchmarks). */
export function ephemeralKeys(): ServiceKeys {
  return {
    jwtSecret: randomBytes(32).toString('hex'),
    audit: createSecretKey(randomBytes(32)),
    checkpoint: checkpointKeysOf(generateKeyPairSync('ed25519').privateKey),
  };
}

/** Writes a secret file 0600 (and makes sure of the mode if it existed). */
function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: SECRET_FILE_MODE, flag: 'wx' });
  chmodSync(path, SECRET_FILE_MODE);
}

/** A secret kept in `dir/name`: read, or generated once. */
function keptSecret(dir: string, name: string, generate: () => string): string {
  const path = join(dir, name);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = generate();
  writeSecret(path, `${secret}\n`);
  return secret;
}

export interface KeySources {
  /** Where generated keys are kept (outside the data folder). */
  readonly keysDir: string;
  /** The data folder: a signing key an older version left there is moved. */
  readonly dataDir: string;
  readonly jwtSecret?: string | undefined;
  readonly auditKey?: string | undefined;
}

/**
 * The keys from the environment where given, else from `keysDir`, generated
 * there once. A signing key that an older version kept in the data folder is
 * moved out of it (its tokens stay valid).
 */
export function loadServiceKeys(sources: KeySources): ServiceKeys {
  const { keysDir } = sources;
  mkdirSync(keysDir, { recursive: true, mode: SECRET_DIR_MODE });
  chmodSync(keysDir, SECRET_DIR_MODE);
  const legacy = join(sources.dataDir, 'jwt-secret');
  const kept = join(keysDir, 'jwt-secret');
  if (!sources.jwtSecret && existsSync(legacy) && !existsSync(kept)) {
    renameSync(legacy, kept);
    chmodSync(kept, SECRET_FILE_MODE);
  }
  const jwtSecret =
    sources.jwtSecret ??
    keptSecret(keysDir, 'jwt-secret', () => randomBytes(48).toString('hex'));
  const auditKey =
    sources.auditKey ??
    keptSecret(keysDir, 'audit-key', () => randomBytes(32).toString('hex'));
  const pem = keptSecret(keysDir, 'checkpoint-ed25519.pem', () =>
    generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
      .trim(),
  );
  return {
    jwtSecret,
    audit: createSecretKey(Buffer.from(auditKey, 'utf8')),
    checkpoint: checkpointKeysOf(createPrivateKey(pem)),
  };
}
