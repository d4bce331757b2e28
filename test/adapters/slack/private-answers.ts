// What the bot told one user privately: a slash command's answer (in its ack, or later through its response URL) and a click's answer.
import { expect } from 'vitest';
import type { FakeSlack } from '../../fakes/slack/fake-slack.ts';
import type { FakeMessage } from '../../fakes/slack/workspace.ts';
import { channelId as defaultChannel } from './slack-test-app.ts';

/** A slash command as a user types it. */
export interface TypedCommand {
  userId: string;
  text: string;
  /** Default the tests' general channel. */
  channelId?: string;
  /** The Socket Mode connection (process) to hand it to. */
  connectionId?: string;
}

/**
 * Runs `/imagine <text>` and returns its private answer: from the ack when it came in time, else the
 * ephemeral POST to the command's response URL (cancel and show may answer after the ack). Fails when
 * the answer is public or never comes.
 */
export async function askPrivately(slack: FakeSlack, command: TypedCommand): Promise<string> {
  const { ack, payload } = await slack.slashCommand({ userId: command.userId, channelId: command.channelId ?? defaultChannel, text: command.text, ...(command.connectionId ? { connectionId: command.connectionId } : {}) });
  if (ack.payload !== undefined) {
    if (ack.payload.response_type !== 'ephemeral') throw new Error(`a public answer to "${command.text}": ${JSON.stringify(ack.payload)}`);
    return String(ack.payload.text);
  }
  const responseId = String(payload.response_url).split('/').pop();
  const response = await slack.waitFor(() => slack.workspace.responses.find((candidate) => candidate.id === responseId), `the answer to "${command.text}"`);
  if (response.body.response_type !== 'ephemeral') throw new Error(`a public answer to "${command.text}": ${JSON.stringify(response.body)}`);
  return String(response.body.text);
}

/** Clicks `actionId` on `message` as `userId` and returns what only they were told (through the click's response URL). */
export async function clickForAnswer(slack: FakeSlack, input: { userId: string; message: FakeMessage; actionId: string }): Promise<string> {
  const before = slack.workspace.responses.length;
  await slack.clickButton(input);
  const response = await slack.waitFor(() => slack.workspace.responses[before], `the answer to ${input.userId}'s ${input.actionId}`);
  expect(response.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  return String(response.body.text);
}
