/**
 * The receipt mailer of a box without a mail server (a demo, a laptop): each email is written as a complete RFC 822
 * message (`.eml`, opens in any mail program) into `<dataDir>/outbox/`, and its path logged. Same `Mailer`
 * interface as the SMTP one, so the exit flow cannot tell them apart. Files are private to the service's user:
 * receipts name a shopper and what they bought.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { EmailMessage, Mailer } from '../checkout/email.ts';

export interface OutboxMailerOptions {
  dir: string;
  from: string;
  /** Wall clock for file names. */
  clock?: () => number;
  log?: { info(details: object, message: string): void };
}

export interface OutboxMailer extends Mailer {
  readonly dir: string;
  /** Paths written so far by this mailer (the last 100). */
  written(): string[];
  close(): void;
}

/** A file name that sorts by time and says who it went to, with nothing a file system could trip on. */
function fileName(at: number, to: string, n: number): string {
  const stamp = new Date(at).toISOString().replace(/[:.]/g, '-');
  const who = to.replace(/[^A-Za-z0-9@._-]/g, '_').slice(0, 60);
  return `${stamp}-${String(n).padStart(4, '0')}-${who}.eml`;
}

export function createOutboxMailer(options: OutboxMailerOptions): OutboxMailer {
  const clock = options.clock ?? Date.now;
  // nodemailer builds the MIME message (text + HTML alternatives, encoded headers) without sending it.
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const recent: string[] = [];
  let count = 0;
  let ready = false;
  return {
    dir: options.dir,
    async send(message: EmailMessage) {
      const info = await transport.sendMail({ from: options.from, ...message });
      if (!ready) {
        mkdirSync(options.dir, { recursive: true, mode: 0o700 });
        ready = true;
      }
      count += 1;
      const path = join(options.dir, fileName(clock(), message.to, count));
      writeFileSync(path, info.message as Buffer, { mode: 0o600, flag: 'wx' });
      recent.push(path);
      if (recent.length > 100) recent.shift();
      options.log?.info({ to: message.to, path }, 'receipt email written to the outbox');
    },
    written: () => [...recent],
    close: () => transport.close(),
  };
}
