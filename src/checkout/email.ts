/**
 * The receipt email: rendered from a final receipt as plain text and HTML (store, time in and out, lines, total,
 * tax where configured, payment state, a link to dispute a line), and sent over SMTP with nodemailer.
 * Rendering is pure; sending is the only I/O here. Every shop-supplied string is escaped in the HTML.
 */
import nodemailer from 'nodemailer';
import type { Receipt } from './types.ts';

export interface ReceiptEmailOptions {
  storeName: string;
  /** IANA time zone the times are shown in. */
  timeZone: string;
  /** Tax included in prices, as a fraction (0.2 = 20 %); null to show none. */
  taxRate: number | null;
  /** Where the shopper disputes a line: the app's receipt page. */
  disputeUrl: string;
  /** How the charge went: a declined card gets a note instead of "charged". */
  payment: 'captured' | 'declined' | 'pending';
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}

/** Digits of the currency's minor unit: 2 for USD, 0 for JPY, 3 for KWD. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 10 ** minorDigits(currency));
}

function formatTime(t: number | null, timeZone: string): string {
  if (t === null) return '—';
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(new Date(t));
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The tax part of a tax-inclusive total, rounded to the minor unit. */
export const includedTax = (total: number, rate: number): number => Math.round(total - total / (1 + rate));

export function renderReceiptEmail(receipt: Receipt, o: ReceiptEmailOptions): Omit<EmailMessage, 'to'> {
  const money = (n: number): string => formatMoney(n, receipt.currency);
  const lines = receipt.lines.filter((l) => l.qty !== 0);
  const tax = o.taxRate === null ? null : includedTax(receipt.total, o.taxRate);
  const paymentNote = {
    captured: `Charged to your card: ${money(receipt.total)}`,
    declined: 'Your card was declined. Please update your card in the app; we will try again.',
    pending: 'The charge to your card is on its way.',
  }[o.payment];
  const subject = `Your receipt from ${o.storeName}: ${money(receipt.total)}`;

  const text = [
    `${o.storeName}: receipt for your visit`,
    `In:  ${formatTime(receipt.entered, o.timeZone)}`,
    `Out: ${formatTime(receipt.exited, o.timeZone)}`,
    '',
    ...lines.map((l) => `${l.qty} × ${l.name} @ ${money(l.unitPrice)}  ${money(l.qty * l.unitPrice)}`),
    lines.length === 0 ? 'Nothing taken: no charge.' : '',
    `Total: ${money(receipt.total)}`,
    tax === null ? '' : `Includes tax (${(o.taxRate! * 100).toFixed(1)} %): ${money(tax)}`,
    paymentNote,
    '',
    `Something wrong? Dispute a line: ${o.disputeUrl}`,
    `Visit ${receipt.visit}`,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');

  const rows = lines
    .map(
      (l) =>
        `<tr><td>${l.qty} × ${escapeHtml(l.name)}</td><td style="text-align:right">${money(l.unitPrice)}</td>` +
        `<td style="text-align:right">${money(l.qty * l.unitPrice)}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:auto">
<h1 style="font-size:1.2rem">${escapeHtml(o.storeName)}</h1>
<p>In: ${formatTime(receipt.entered, o.timeZone)}<br>Out: ${formatTime(receipt.exited, o.timeZone)}</p>
<table style="width:100%;border-collapse:collapse">${rows || '<tr><td>Nothing taken: no charge.</td></tr>'}
<tr><th style="text-align:left">Total</th><td></td><th style="text-align:right">${money(receipt.total)}</th></tr>
${tax === null ? '' : `<tr><td>Includes tax (${(o.taxRate! * 100).toFixed(1)} %)</td><td></td><td style="text-align:right">${money(tax)}</td></tr>`}
</table>
<p>${escapeHtml(paymentNote)}</p>
<p><a href="${escapeHtml(o.disputeUrl)}">Something wrong? Dispute a line</a></p>
<p style="color:#777;font-size:.8rem">Visit ${escapeHtml(receipt.visit)}</p>
</body></html>`;
  return { subject, text, html };
}

export interface SmtpOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  auth?: { user: string; pass: string };
  from: string;
}

export function createSmtpMailer(options: SmtpOptions): Mailer & { close(): void } {
  // Pooled: one SMTP connection reused across receipts instead of a handshake per email.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    ...(options.auth ? { auth: options.auth } : {}),
  });
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, ...message });
    },
    close: () => transport.close(),
  };
}
