import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { REALTIME_CHANNELS, type RealtimeChannel } from '../../application/ports/notifier.port.js';
import { CHANNEL_SCOPE } from './handshake.js';

/** One connection and what it listens to. */
export interface Client {
  readonly ws: WebSocket;
  readonly userId: string;
  /** Kept to re-verify at each heartbeat (expiry, revocation); never logged. */
  readonly token: string;
  readonly allowed: ReadonlySet<RealtimeChannel>;
  channels: ReadonlySet<RealtimeChannel>;
  alive: boolean;
  invalidFrames: number;
}

/** A control frame to one client (ready, subscribed, pong, error). */
export type Reply = (client: Client, frame: Record<string, unknown>) => void;

const MAX_INVALID_FRAMES = 20;

const command = z.union([
  z.strictObject({ subscribe: z.array(z.string().max(64)).max(16) }),
  z.strictObject({ ping: z.unknown() }),
]);

/** A frame from a client: a subscription or a ping; anything else is answered with an error frame. */
export function receiveFrame(client: Client, data: RawData, isBinary: boolean, reply: Reply) {
  const invalid = (code: string, detail: string) => {
    client.invalidFrames += 1;
    reply(client, { type: 'error', code, detail });
    if (client.invalidFrames >= MAX_INVALID_FRAMES) client.ws.close(1008, 'too many invalid messages');
  };
  if (isBinary) return invalid('binary-frame', 'Send commands as JSON text frames');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bufferOf(data).toString('utf8'));
  } catch {
    return invalid('invalid-json', 'A command is a JSON object such as {"subscribe": ["notifications"]}');
  }
  const result = command.safeParse(parsed);
  if (!result.success) {
    return invalid(
      'unknown-command',
      `Known commands: {"subscribe": [${REALTIME_CHANNELS.map((c) => `"${c}"`).join(', ')}]}, {"ping": any}`,
    );
  }
  if ('ping' in result.data) return reply(client, { type: 'pong' });
  const wanted = [...new Set(result.data.subscribe)];
  const unknown = wanted.filter((c) => !(REALTIME_CHANNELS as readonly string[]).includes(c));
  if (unknown.length > 0) {
    return invalid(
      'unknown-channel',
      `Unknown channel(s) ${unknown.map((c) => JSON.stringify(c.slice(0, 64))).join(', ')}; known: ${REALTIME_CHANNELS.join(', ')}`,
    );
  }
  const channels = wanted as RealtimeChannel[];
  const forbidden = channels.filter((c) => !client.allowed.has(c));
  if (forbidden.length > 0) {
    return invalid(
      'insufficient-scope',
      `The token cannot read ${forbidden.map((c) => `${c} (needs ${CHANNEL_SCOPE[c]})`).join(', ')}`,
    );
  }
  client.channels = new Set(channels);
  reply(client, { type: 'subscribed', channels });
}

function bufferOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
