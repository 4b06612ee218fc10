import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The encrypted backup file: AES-256-GCM in authenticated segments (the STREAM construction), so a
 * restore never reads a byte that was not authenticated, and a truncated or reordered file is refused.
 *
 *   header   "DAYBOOK-BACKUP-1\n" (17 bytes) | nonce prefix (7 random bytes)
 *   segment  length (uint32 BE; top bit = last segment) | ciphertext (length bytes) | GCM tag (16 bytes)
 *
 * Segment i is sealed with nonce = prefix | i (uint32 BE) | last (1 byte) and the header as associated
 * data: moving, dropping or marking a segment last changes its nonce and fails authentication.
 */
const MAGIC = Buffer.from('DAYBOOK-BACKUP-1\n', 'ascii');
const PREFIX_BYTES = 7;
const HEADER_BYTES = MAGIC.length + PREFIX_BYTES;
const TAG_BYTES = 16;
const SEGMENT_BYTES = 64 * 1024;
const LAST = 0x8000_0000;

export class BackupFileError extends Error {
  constructor(
    readonly code: 'no-key' | 'bad-key' | 'not-a-backup-file' | 'wrong-key-or-damaged' | 'truncated',
    message: string,
  ) {
    super(message);
    this.name = 'BackupFileError';
  }
}

const KEY_HELP = 'DAYBOOK_BACKUP_KEY (32 bytes as base64 or 64 hex digits) or --key-file <file>';

/** The operator's key: `--key-file` (32 raw bytes, or the text form) wins over DAYBOOK_BACKUP_KEY. */
export async function backupKey(
  keyFile: string | undefined,
  fromEnvironment: string | undefined,
): Promise<Buffer> {
  if (keyFile !== undefined) {
    const bytes = await readFile(keyFile);
    return bytes.length === 32 ? bytes : parseKey(bytes.toString('utf8'), `--key-file ${keyFile}`);
  }
  if (fromEnvironment === undefined || fromEnvironment.trim() === '')
    throw new BackupFileError('no-key', `no backup key: set ${KEY_HELP}`);
  return parseKey(fromEnvironment, 'DAYBOOK_BACKUP_KEY');
}

const HEX_KEY = /^[0-9a-f]{64}$/i;
/** 32 bytes in base64 or base64url: 43 characters and an optional padding sign. */
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

function parseKey(text: string, source: string): Buffer {
  const value = text.trim();
  if (HEX_KEY.test(value)) return Buffer.from(value, 'hex');
  if (BASE64_KEY.test(value)) return Buffer.from(value.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  throw new BackupFileError('bad-key', `${source} is not a 32-byte key: give ${KEY_HELP}`);
}

const nonce = (prefix: Buffer, index: number, last: boolean) => {
  const bytes = Buffer.alloc(12);
  prefix.copy(bytes, 0);
  bytes.writeUInt32BE(index, PREFIX_BYTES);
  bytes[11] = last ? 1 : 0;
  return bytes;
};

/** Plaintext in, the encrypted file out. */
export function encryptBackup(key: Buffer): Transform {
  const prefix = randomBytes(PREFIX_BYTES);
  const header = Buffer.concat([MAGIC, prefix]);
  let pending = Buffer.alloc(0);
  let index = 0;
  let started = false;
  const seal = (stream: Transform, plaintext: Buffer, last: boolean) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonce(prefix, index, last));
    cipher.setAAD(header);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE((plaintext.length | (last ? LAST : 0)) >>> 0);
    if (!started) stream.push(header);
    started = true;
    stream.push(Buffer.concat([length, ciphertext, cipher.getAuthTag()]));
    index += 1;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      pending = Buffer.concat([pending, chunk]);
      // Keep at least one byte back: the last segment is sealed in flush, marked last.
      while (pending.length > SEGMENT_BYTES) {
        seal(this, pending.subarray(0, SEGMENT_BYTES), false);
        pending = pending.subarray(SEGMENT_BYTES);
      }
      done();
    },
    flush(done: TransformCallback) {
      seal(this, pending, true);
      done();
    },
  });
}

/** The encrypted file in, authenticated plaintext out, segment by segment. */
export function decryptBackup(key: Buffer): Transform {
  let buffered = Buffer.alloc(0);
  let header: Buffer | undefined;
  let index = 0;
  let ended = false;
  const open = (stream: Transform): void => {
    for (;;) {
      if (!header) {
        if (buffered.length < HEADER_BYTES) return;
        header = buffered.subarray(0, HEADER_BYTES);
        if (!header.subarray(0, MAGIC.length).equals(MAGIC))
          throw new BackupFileError('not-a-backup-file', 'not a Daybook backup file (bad header)');
        buffered = buffered.subarray(HEADER_BYTES);
      }
      if (buffered.length < 4) return;
      const word = buffered.readUInt32BE(0);
      const last = (word & LAST) !== 0;
      const length = word & ~LAST;
      if (length > SEGMENT_BYTES)
        throw new BackupFileError('wrong-key-or-damaged', `segment ${index} is damaged`);
      if (buffered.length < 4 + length + TAG_BYTES) return;
      if (ended) throw new BackupFileError('wrong-key-or-damaged', 'data after the last segment');
      const decipher = createDecipheriv(
        'aes-256-gcm',
        key,
        nonce(header.subarray(MAGIC.length), index, last),
      );
      decipher.setAAD(header);
      decipher.setAuthTag(buffered.subarray(4 + length, 4 + length + TAG_BYTES));
      try {
        stream.push(Buffer.concat([decipher.update(buffered.subarray(4, 4 + length)), decipher.final()]));
      } catch {
        throw new BackupFileError(
          'wrong-key-or-damaged',
          `segment ${index} does not authenticate: wrong key, or the file was altered`,
        );
      }
      buffered = buffered.subarray(4 + length + TAG_BYTES);
      index += 1;
      ended = last;
    }
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      buffered = Buffer.concat([buffered, chunk]);
      try {
        open(this);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      if (!ended || buffered.length > 0)
        return done(
          new BackupFileError('truncated', 'the backup file ends before its last segment: it is incomplete'),
        );
      done();
    },
  });
}
