import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export type StandInMode = 'answer' | 'error-500' | 'hang';

/** One chat.completions request the stand-in received. */
export interface ReceivedChat {
  readonly model: string;
  readonly messages: readonly { role: string; content: string }[];
}

/**
 * A local server speaking OpenAI's chat.completions wire format (POST /v1/chat/completions), so the real
 * `openai` client is exercised: it records what it received and answers, fails with a 500, or never
 * answers, as the test sets it.
 */
export async function startOpenAiStandIn() {
  const received: ReceivedChat[] = [];
  const hanging = new Set<ServerResponse>();
  let mode: StandInMode = 'answer';
  let answer: (chat: ReceivedChat) => string = () => '{"category": "other"}';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const chat = JSON.parse(body) as ReceivedChat;
      received.push(chat);
      if (mode === 'hang') {
        hanging.add(res);
        return;
      }
      if (mode === 'error-500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'stand-in failure', type: 'server_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${received.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: chat.model,
          choices: [
            { index: 0, message: { role: 'assistant', content: answer(chat) }, finish_reason: 'stop' },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  afterAll(stop);
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    received,
    /** Every text the stand-in was sent, joined. */
    prompts: () => received.flatMap((c) => c.messages.map((m) => m.content)).join('\n'),
    set(next: StandInMode, reply?: (chat: ReceivedChat) => string) {
      mode = next;
      if (reply) answer = reply;
      received.length = 0;
    },
  };
}
