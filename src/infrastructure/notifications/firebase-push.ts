import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { type App, cert, deleteApp, initializeApp } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';
import type { PushMessage, PushSender } from '../../application/ports/push-sender.port.js';

export interface FirebaseOptions {
  readonly projectId: string;
  /** A service account key file; without it, `endpoint` must name a stand-in. */
  readonly serviceAccountFile?: string;
  /** A local server speaking FCM v1 `messages:send` (tests): every request goes there over plain HTTP. */
  readonly endpoint?: URL;
}

/** The provider's word that a token is dead: UNREGISTERED (404) or not a token at all. */
const DEAD_TOKEN = new Set([
  'messaging/registration-token-not-registered',
  'messaging/invalid-registration-token',
]);

/** An agent that sends every https request of the SDK, unencrypted, to `endpoint` (a stand-in). */
function standInAgent(endpoint: URL): https.Agent {
  const agent = new https.Agent({ keepAlive: false });
  (agent as unknown as { createConnection: () => net.Socket }).createConnection = () =>
    net.connect(Number(endpoint.port || 80), endpoint.hostname);
  return agent;
}

/** Push through Firebase Cloud Messaging (firebase-admin), one message per device token. */
export class FirebasePush implements PushSender {
  private readonly app: App;

  constructor(options: FirebaseOptions) {
    const credential = options.serviceAccountFile
      ? cert(JSON.parse(readFileSync(options.serviceAccountFile, 'utf8')))
      : { getAccessToken: async () => ({ access_token: 'stand-in', expires_in: 3600 }) };
    this.app = initializeApp(
      {
        projectId: options.projectId,
        credential,
        ...(options.endpoint ? { httpAgent: standInAgent(options.endpoint) } : {}),
      },
      `daybook-${randomUUID()}`,
    );
  }

  async send(token: string, message: PushMessage): Promise<'sent' | 'invalid-token'> {
    try {
      await getMessaging(this.app).send({
        token,
        notification: { title: message.title, body: message.body },
        data: { ...message.data },
      });
      return 'sent';
    } catch (error) {
      if (DEAD_TOKEN.has((error as { code?: string }).code ?? '')) return 'invalid-token';
      throw error;
    }
  }

  async close(): Promise<void> {
    await deleteApp(this.app).catch(() => undefined);
  }
}
