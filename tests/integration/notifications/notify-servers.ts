import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  to: string[];
  subject: string;
  /** The raw message with quoted-printable soft breaks and escapes undone. */
  body: string;
}

function decode(raw: string): { subject: string; body: string } {
  const unfolded = raw.replace(/\r\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/m.exec(unfolded)?.[1]?.trim() ?? '';
  const body = raw
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return { subject, body };
}

/**
 * A real SMTP server on a free port. Recipients starting with "bounce" are refused with 550, as a
 * mail server refuses an address that does not exist.
 */
export async function startSmtpServer(): Promise<{
  url: string;
  received: ReceivedEmail[];
  close(): Promise<void>;
}> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('bounce')) {
        const error = Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          ...decode(Buffer.concat(chunks).toString('utf8')),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server as unknown as { server: Server }).server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedPost {
  path: string;
  body: unknown;
}

/**
 * A local HTTP server standing in for Teams and Slack: paths starting /broken answer 500, paths
 * starting /redirect answer 302 to /redirected on the same server, paths starting /hang never answer. `connections` counts every TCP
 * connection, so a test can show that nothing at all reached it (not even a TLS hello).
 */
export async function startWebhookServer(): Promise<{
  base: string;
  port: number;
  received: ReceivedPost[];
  connections(): number;
  close(): Promise<void>;
}> {
  const received: ReceivedPost[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = null;
      }
      received.push({ path, body });
      if (path.startsWith('/broken')) {
        res.writeHead(500).end('internal error');
        return;
      }
      if (path.startsWith('/hang')) return; // never answers
      if (path.startsWith('/redirect')) {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/redirected` }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(path.startsWith('/teams') ? '1' : 'ok');
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    received,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
