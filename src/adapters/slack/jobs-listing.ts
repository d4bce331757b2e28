// `/imagine jobs` (and "@bot jobs"): the asker's last jobs with their state and a permalink to each posted image.
import type { Requester } from '../../core/request.ts';
import { slackText } from './messages.ts';
import { resultPermalink } from './result-permalink.ts';
import type { SlackRuntime } from './runtime.ts';

/** The listing text for `requester`, their own jobs only; permalinks are looked up at once, not one after another. */
export async function jobsListing(runtime: SlackRuntime, requester: Requester): Promise<string> {
  const entries = await runtime.service.recentJobs(requester);
  if (entries.length === 0) return slackText.jobsNone;
  const permalinks = await Promise.all(entries.map((entry) => resultPermalink(runtime.client, entry)));
  const lines = entries.map((entry, index) => slackText.jobLine(entry, permalinks[index]));
  return [slackText.jobsHeading(entries.length), ...lines].join('\n');
}
