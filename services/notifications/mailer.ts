import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/** nodemailer over SMTP_URL; null when SMTP_URL is unset (the email channel is off). */
export function createMailer(settings: { smtpUrl?: string; smtpFrom: string }): Mailer | null {
  if (!settings.smtpUrl) return null;
  const transport = nodemailer.createTransport(settings.smtpUrl);
  return {
    async send(email) {
      await transport.sendMail({
        from: settings.smtpFrom,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
      });
    },
    close() {
      transport.close();
    },
  };
}

/** The receiving server refused the recipient for good (5xx on RCPT TO): a bounce, not a retry. */
export function isBounce(error: unknown): boolean {
  const e = error as { responseCode?: number; code?: string; command?: string };
  return (
    typeof e?.responseCode === 'number' &&
    e.responseCode >= 500 &&
    (e.code === 'EENVELOPE' || /RCPT/i.test(e.command ?? ''))
  );
}

/** A short, secret-free reason for the delivery log: SMTP reply code and class, never credentials. */
export function describeMailError(error: unknown): string {
  const e = error as { responseCode?: number; code?: string; response?: string };
  if (typeof e?.responseCode === 'number') {
    return `SMTP ${e.responseCode}${e.code ? ` (${e.code})` : ''}: ${firstLine(e.response ?? '')}`.trim();
  }
  return `email not sent: ${e?.code ?? 'error'}`;
}

function firstLine(text: unknown): string {
  return String(text).split(/\r?\n/)[0]!.slice(0, 200);
}
