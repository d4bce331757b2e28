// `/imagine jobs` end to end: the asker's own jobs, newest first, ephemerally, with Slack's permalink to each posted image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, bob, channelId, imagineStatus, startSlackTest, type SlackTest } from './slack-test-app.ts';

let test: SlackTest;

beforeAll(async () => {
  test = await startSlackTest({ environment: { QUOTA_DAILY_CREDITS: '10' } });
});

afterAll(async () => {
  await test?.close();
});

/** Runs `/imagine <text>` as `userId` and returns the job it stored once that job is final. */
async function finishedJob(userId: string, text: string) {
  const { slack } = test;
  await imagineStatus(slack, userId, text);
  return slack.waitFor(async () => {
    const job = (await test.jobs()).at(-1);
    return job !== undefined && (job.state === 'delivered' || job.state === 'failed') && job.requesterKey === `slack:${userId}` && job;
  }, `a final job of ${userId}`);
}

/** The ephemeral `/imagine jobs` answer of `userId`. */
async function jobsAnswer(userId: string): Promise<string> {
  const { ack } = await test.slack.slashCommand({ userId, channelId, text: 'jobs' });
  expect(ack.payload?.response_type).toBe('ephemeral');
  return String(ack.payload?.text);
}

describe('/imagine jobs', () => {
  it('lists a delivered and a failed job, newest first, linking the posted image and showing nobody else’s jobs', async () => {
    const others = await finishedJob(alice, 'alice’s secret lighthouse');
    // Typed literally, `<!here>` reaches the bot escaped; the listing must escape it again so it never pings.
    const delivered = await finishedJob(bob, 'a fox in the snow &lt;!here&gt;');
    expect(delivered.state).toBe('delivered');
    test.xenodia.setFault('taskFails', { message: 'upstream image generation failed', times: 1 });
    const failed = await finishedJob(bob, 'a broken clock');
    expect(failed.state).toBe('failed');

    const answer = await jobsAnswer(bob);
    const lines = answer.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('Your last 2 jobs');
    expect(lines[1]).toContain(`\`${failed.id.slice(0, 8)}\``);
    expect(lines[1]).toContain(':x: failed (provider failed)');
    expect(lines[1]).toContain('"a broken clock"');
    expect(lines[1]).not.toContain('slack.com/archives');
    expect(lines[2]).toContain(`\`${delivered.id.slice(0, 8)}\``);
    expect(lines[2]).toContain('delivered');
    expect(lines[2]).toContain('a fox in the snow &lt;!here&gt;');
    expect(lines[2]).not.toContain('<!here>');
    expect(lines[2]).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+>/);

    const imageMessage = test.slack.workspace.messages.find((message) => message.files.some((file) => file.id === delivered.deliveredMessageId));
    expect(imageMessage).toBeDefined();
    expect(lines[2]).toContain(`<https://fake-workspace.slack.com/archives/${channelId}/p${imageMessage?.ts.replace('.', '')}`);
    expect(lines[2]).toMatch(/\|image>$/);
    expect(test.slack.workspace.callsOf('chat.getPermalink')).toHaveLength(1);

    expect(answer).not.toContain(others.id.slice(0, 8));
    expect(answer).not.toContain('lighthouse');
    expect(answer).not.toContain(alice);
  });

  it('answers a user without jobs with a friendly line', async () => {
    expect(await jobsAnswer('U0NEWCOMER')).toContain('You have no images yet');
  });
});
