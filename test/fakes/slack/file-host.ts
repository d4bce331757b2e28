// Slack's file host on the fake: the upload URLs `files.getUploadURLExternal` hands out, and private file downloads.
import type { ServerResponse } from 'node:http';
import type { ParsedBody } from './request-body.ts';
import type { Workspace } from './workspace.ts';

/** What Slack serves instead of the bytes when the token lacks `files:read` (or is missing). */
export const loginPageHtml =
  '<!DOCTYPE html><html lang="en-US"><head><title>Slack</title></head>' +
  '<body><h1>Sign in to Fake Workspace</h1><form action="/signin"><input name="email"></form></body></html>';

/** Stores the bytes POSTed to an upload URL (multipart with one file part, or the raw body). */
export function receiveUpload(fileId: string, body: ParsedBody, workspace: Workspace, client: string | undefined, response: ServerResponse): void {
  const pending = workspace.pendingUploads.get(fileId);
  if (!pending) {
    response.writeHead(404).end('unknown upload');
    return;
  }
  const part = body.files[0];
  pending.bytes = part ? part.bytes : new Uint8Array(body.raw);
  workspace.uploads.push({ fileId, client, byteLength: pending.bytes.byteLength, at: Date.now() });
  response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${pending.bytes.byteLength}`);
}

/** Who may download, and whether the app is missing `files:read`. */
export interface DownloadOptions {
  botToken: string;
  /** True to answer the HTML login page even with a valid token (the app lacks `files:read`). */
  denyDownloads: boolean;
}

/** Serves `/files-pri/<team>-<file>/…` to holders of the bot token; the login page to anyone else. */
export function serveDownload(
  path: string,
  authorization: string | undefined,
  workspace: Workspace,
  options: DownloadOptions,
  response: ServerResponse,
): void {
  const match = /^\/files-pri\/[^/]+-([^/]+)\//.exec(path);
  const file = match?.[1] === undefined ? undefined : workspace.files.get(match[1]);
  if (!file) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('file not found');
    return;
  }
  const authorized = authorization === `Bearer ${options.botToken}`;
  const served = authorized && !options.denyDownloads ? 'file' : 'login-page';
  workspace.downloads.push({ fileId: file.id, authorized, served, at: Date.now() });
  if (served === 'login-page') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPageHtml);
    return;
  }
  response
    .writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.byteLength) })
    .end(Buffer.from(file.bytes));
}
