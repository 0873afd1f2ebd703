/**
 * Secrets the store box keeps for itself in `<dataDir>/secrets.json` (mode 0600, never in the repository): today the
 * HMAC key of the entry QR codes. Generated once per data dir when configuration gives none, so codes a phone holds
 * and the gate's checks survive restarts. A file that cannot be read as such stops the start rather than being
 * silently replaced (that would invalidate every code in flight and hide a broken disk).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WalkoutError } from '../errors.ts';

export const SECRETS_FILE = 'secrets.json';

export interface QrSecret {
  secret: string;
  /** Where it came from: configuration, the data dir's file, or generated into that file now. */
  source: 'config' | 'file' | 'generated';
  path: string | null;
}

interface SecretsFile {
  qrSecret?: unknown;
}

function readSecrets(path: string): SecretsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new WalkoutError('SECRETS_UNREADABLE', `${path}: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new WalkoutError('SECRETS_UNREADABLE', `${path}: not a JSON object`);
  }
  return raw as SecretsFile;
}

/** The configured secret, or the data dir's (created with a fresh random one when missing). */
export function resolveQrSecret(configured: string | undefined, dataDir: string | null): QrSecret {
  if (configured) return { secret: configured, source: 'config', path: null };
  // No data dir (an in-memory store): a secret for this process only.
  if (dataDir === null) return { secret: randomBytes(32).toString('base64url'), source: 'generated', path: null };
  const path = join(dataDir, SECRETS_FILE);
  if (existsSync(path)) {
    // Whoever can read this file can forge entry codes: keep it to the service's user.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const secrets = readSecrets(path);
    if (typeof secrets.qrSecret !== 'string' || secrets.qrSecret.length < 32) {
      throw new WalkoutError('SECRETS_UNREADABLE', `${path}: qrSecret missing or shorter than 32 characters`);
    }
    return { secret: secrets.qrSecret, source: 'file', path };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx': never overwrite a file another process created meanwhile.
  writeFileSync(path, `${JSON.stringify({ qrSecret: secret }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, source: 'generated', path };
}
