// Content refusals: each provider's safety or policy wording is recognised and worded plainly; technical failures are not.
import { describe, expect, it } from 'vitest';
import { describeContentRefusal, isContentRefusal } from '../../src/core/content-refusal.ts';

/*
 * The seeds name only the fields a failure reason arrives in, not its wording, so these texts are
 * illustrative: each is in the shape and field its provider documents, worded the ways resellers
 * of Google's Nano Banana models pass refusals on (Google's codes, English sentences, Chinese).
 */
const refusals: Record<string, readonly string[]> = {
  // `{error, message}` bodies (HTTP 400, 502) and the task's `error` object.
  xenodia: [
    'Your request was rejected by the safety system. Please modify your prompt.',
    'content_policy_violation The prompt violates our content policy',
    'Upstream returned no image: finishReason=IMAGE_SAFETY',
    'image_generation_failed Generation blocked due to PROHIBITED_CONTENT',
    'The prompt was flagged as unsafe',
  ],
  // The task's `error` text when `status` is failed.
  xingchao: [
    'Prompt contains sensitive content, please modify and try again',
    '图片生成失败：提示词包含敏感内容',
    '内容违规，请修改提示词后重试',
    '图片审核未通过',
  ],
  // `failure_reason` / `error` of a failed task.
  'nbp-cloud': [
    'PROHIBITED_CONTENT',
    'Prompt was blocked (blockReason: OTHER)',
    'Gemini finish reason: SAFETY',
    'Image generation failed: the output was filtered due to safety',
  ],
  // `{error}` bodies of HTTP 400 and 500.
  'nbp-net': [
    'Content blocked by safety filters',
    'Your prompt was flagged as inappropriate',
    'This request violates our usage policies',
    'NSFW content is not allowed',
  ],
};

const technicalFailures: Record<string, readonly string[]> = {
  xenodia: ['Upstream image generation failed', 'image_generation_failed', 'only n=1 is supported', 'image_input accepts at most 8 references', 'unsupported_model', 'Insufficient balance'],
  xingchao: ['生成失败，请稍后重试', '任务超时', 'Task timeout', 'upstream service unavailable', '参数大小写敏感'],
  'nbp-cloud': [
    'NO_IMAGE',
    'Nano Banana API error: 503 The model is overloaded. Please try again later.',
    'Downstream query failure or service error',
    'Service misconfiguration (Nano Banana API key missing)',
    'Insufficient credits',
    'the task succeeded without an image',
  ],
  'nbp-net': ['Generation failed', 'Invalid API key', 'Reference image exceeds 2.5MB', '4K generation is not available on the free plan', 'Internal Server Error'],
  elsewhere: ['Request blocked by firewall', 'IP address blocked', 'blocked by CORS policy', 'Parameter names are case-sensitive input', 'Rate limit exceeded; retry policy is exponential backoff', 'no reason given', 'timeout after 120 s'],
};

describe('isContentRefusal', () => {
  for (const [provider, texts] of Object.entries(refusals)) {
    it(`recognises ${provider} refusals`, () => {
      for (const text of texts) expect(isContentRefusal(text), text).toBe(true);
    });
  }

  for (const [provider, texts] of Object.entries(technicalFailures)) {
    it(`leaves ${provider} technical failures alone`, () => {
      for (const text of texts) expect(isContentRefusal(text), text).toBe(false);
    });
  }

  it('reads a bare error code word by word', () => {
    expect(isContentRefusal('content_policy_violation')).toBe(true);
    expect(isContentRefusal('moderation_blocked')).toBe(true);
    expect(isContentRefusal('image_generation_failed')).toBe(false);
  });

  it('is false without a reason', () => {
    expect(isContentRefusal(undefined)).toBe(false);
    expect(isContentRefusal('  ')).toBe(false);
  });
});

describe('describeContentRefusal', () => {
  it("turns Google's codes into sentences", () => {
    expect(describeContentRefusal('Upstream returned no image: finishReason=IMAGE_SAFETY')).toBe("The provider's safety filter stopped the image.");
    expect(describeContentRefusal('PROHIBITED_CONTENT')).toBe('The provider refused the request as prohibited content.');
    expect(describeContentRefusal('Prompt was blocked (blockReason: OTHER)')).toBe('The provider blocked the prompt without giving a reason.');
    expect(describeContentRefusal('finishReason: SAFETY')).toBe("The provider's safety filter stopped the request.");
  });

  it("keeps the provider's own sentence, tidied", () => {
    expect(describeContentRefusal('content_policy_violation')).toBe('Content policy violation.');
    expect(describeContentRefusal('Error:  your prompt was\n flagged as inappropriate')).toBe('Your prompt was flagged as inappropriate.');
    expect(describeContentRefusal('Content blocked by safety filters.')).toBe('Content blocked by safety filters.');
    expect(describeContentRefusal('图片生成失败：提示词包含敏感内容')).toBe('图片生成失败：提示词包含敏感内容。');
  });

  it('bounds long reasons and fills in a missing one', () => {
    const long = describeContentRefusal(`blocked by the safety system ${'because '.repeat(60)}`);
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long.endsWith('…')).toBe(true);
    expect(describeContentRefusal(undefined)).toBe('The provider refused the content without giving a reason.');
  });
});
