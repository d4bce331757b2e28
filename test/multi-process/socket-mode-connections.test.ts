// The fake Slack's Socket Mode with several connections: each envelope to exactly one, in turn; an 11th connection is turned away.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import { maxSocketConnections } from '../fakes/slack/socket-mode.ts';

/** A bare Socket Mode client: opens a connection as `label`, acks every envelope, remembers what it got. */
interface TestClient {
  label: string;
  socket: WebSocket;
  /** The first message the server sent (`hello`, or `disconnect` when refused). */
  first: Record<string, unknown>;
  envelopes: string[];
}

let slack: FakeSlack;
const clients: TestClient[] = [];

beforeEach(async () => {
  slack = await startFakeSlack();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await slack.close();
});

async function connect(label: string): Promise<TestClient> {
  const response = await fetch(`${slack.apiUrlFor(label)}apps.connections.open`, {
    method: 'POST',
    headers: { authorization: `Bearer ${slack.identity.appToken}` },
  });
  const answer = (await response.json()) as { ok: boolean; url: string };
  expect(answer.ok).toBe(true);
  const socket = new WebSocket(answer.url);
  const envelopes: string[] = [];
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
  });
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { envelope_id?: string };
    if (message.envelope_id === undefined) return;
    envelopes.push(message.envelope_id);
    socket.send(JSON.stringify({ envelope_id: message.envelope_id }));
  });
  const client = { label, socket, first, envelopes };
  clients.push(client);
  return client;
}

it('keeps ten connections, gives each envelope to exactly one of them in turn, and refuses an eleventh with too_many_websockets', async () => {
  const accepted: TestClient[] = [];
  for (let index = 1; index <= maxSocketConnections; index += 1) accepted.push(await connect(`bot-${index}`));
  expect(accepted.map((client) => client.first.type)).toEqual(accepted.map(() => 'hello'));

  const refused = await connect('bot-11');
  expect(refused.first).toMatchObject({ type: 'disconnect', reason: 'too_many_websockets' });
  await new Promise<void>((resolve) => (refused.socket.readyState === WebSocket.CLOSED ? resolve() : refused.socket.once('close', () => resolve())));
  expect(slack.socketMode.refused.map((attempt) => attempt.client)).toEqual(['bot-11']);
  expect(slack.socketMode.openConnections()).toHaveLength(maxSocketConnections);

  for (let index = 0; index < 30; index += 1) {
    await slack.slashCommand({ userId: `U0USER${index}`, channelId: 'C0GENERAL', text: `request ${index}` });
  }
  // Exactly one connection per envelope, acked by that connection, and every connection got its turn.
  const deliveries = slack.socketMode.deliveries;
  expect(deliveries).toHaveLength(30);
  for (const delivery of deliveries) {
    const receivers = accepted.filter((client) => client.envelopes.includes(delivery.envelopeId));
    expect(receivers.map((client) => client.label)).toEqual([delivery.client]);
  }
  expect(slack.socketMode.acks.map((ack) => ack.connectionId)).toEqual(deliveries.map((delivery) => delivery.connectionId));
  expect(accepted.map((client) => client.envelopes.length)).toEqual(accepted.map(() => 3));

  // A connection that goes away leaves the rotation, and frees a place for a new one.
  const leaving = accepted[0] as TestClient;
  leaving.socket.close();
  await slack.waitFor(() => slack.socketMode.openConnections().length === maxSocketConnections - 1, 'the closed connection to leave');
  for (let index = 0; index < 9; index += 1) await slack.slashCommand({ userId: 'U0LATE', channelId: 'C0GENERAL', text: `late ${index}` });
  expect(leaving.envelopes).toHaveLength(3);
  const again = await connect('bot-12');
  expect(again.first.type).toBe('hello');
  // A test may also pick the connection (and so the process) an envelope goes to.
  const chosen = slack.socketMode.openConnections().find((connection) => connection.client === 'bot-12');
  await slack.deliver('slash_commands', { command: '/imagine', text: 'direct' }, { connectionId: chosen?.id as string });
  expect(again.envelopes).toEqual([slack.socketMode.deliveries.at(-1)?.envelopeId]);
  expect(slack.socketMode.deliveries.at(-1)?.client).toBe('bot-12');
});

it('records which label made each Web API call and each byte upload', async () => {
  const call = (label: string, method: string, body: Record<string, string>) =>
    fetch(`${slack.apiUrlFor(label)}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.identity.botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    }).then((response) => response.json() as Promise<Record<string, unknown>>);
  const posted = await call('bot-a', 'chat.postMessage', { channel: 'C0GENERAL', text: 'hello' });
  expect(posted.ok).toBe(true);
  const upload = await call('bot-b', 'files.getUploadURLExternal', { filename: 'x.png', length: '3' });
  expect(String(upload.upload_url)).toContain('/client/bot-b/upload/v1/');
  await fetch(String(upload.upload_url), { method: 'POST', body: new Uint8Array([1, 2, 3]) });
  expect(slack.workspace.calls.map((entry) => [entry.method, entry.client])).toEqual([
    ['chat.postMessage', 'bot-a'],
    ['files.getUploadURLExternal', 'bot-b'],
  ]);
  expect(slack.workspace.uploads.map((entry) => [entry.fileId, entry.client])).toEqual([[upload.file_id, 'bot-b']]);
});
