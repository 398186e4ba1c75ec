import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake endpoint answers the next requests. */
export type GuardBehaviour =
  | { kind: 'answer'; content: string; delayMs?: number }
  | { kind: 'status'; status: number }
  | { kind: 'raw'; body: string };

export interface GuardRequest {
  path: string;
  auth: string | undefined;
  body: { model?: string; messages?: { role: string; content: string }[]; temperature?: number };
}

/**
 * A real HTTP server on a socket speaking the OpenAI chat-completions protocol as Ollama and vLLM
 * serve Llama Guard: `choices[0].message.content` is "safe" or "unsafe\nS1,S10".
 */
export interface GuardModelServer {
  url: string;
  requests: GuardRequest[];
  behave(behaviour: GuardBehaviour): void;
  close(): Promise<void>;
}

export async function startGuardModelServer(): Promise<GuardModelServer> {
  let behaviour: GuardBehaviour = { kind: 'answer', content: 'safe' };
  const requests: GuardRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        auth: req.headers.authorization,
        body: JSON.parse(raw) as GuardRequest['body'],
      });
      const b = behaviour;
      if (b.kind === 'status') {
        res
          .writeHead(b.status, { 'content-type': 'application/json' })
          .end('{"error":{"message":"model overloaded"}}');
        return;
      }
      if (b.kind === 'raw') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(b.body);
        return;
      }
      const body = JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'llama-guard3',
        choices: [{ index: 0, message: { role: 'assistant', content: b.content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 200, completion_tokens: 5, total_tokens: 205 },
      });
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      }, b.delayMs ?? 0);
    });
  };
  const server: Server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`,
    requests,
    behave(next) {
      behaviour = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
