// Starts a TypeScript worker thread through tsx's loader, with a ready/go handshake so several workers start their work together.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// Worker threads do not inherit vitest's TypeScript transform; tsx's loader, registered first, compiles the worker.
// require.resolve finds tsx's CommonJS build; the ES module build sits next to it.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;

/** A started worker: `ready` once it posted `{ ready: true }`, `go` releases it, `done` is what it reported with `{ ok, result }`. */
export interface StartedWorker {
  ready: Promise<void>;
  go(): void;
  done: Promise<unknown>;
  terminate(): Promise<number>;
}

/**
 * Runs the module at `entry` (a file URL) in a worker thread with `workerData`. The worker posts
 * `{ ready: true }` once set up, waits for any message (the "go"), then posts `{ ok: true, result }`
 * or `{ ok: false, error }`. `label` names it in failures.
 */
export function startTsxWorker(entry: URL, workerData: unknown, label: string): StartedWorker {
  const bootstrap = `import(${JSON.stringify(tsxLoader)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  const worker = new Worker(bootstrap, { eval: true, workerData });
  let markReady: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  const done = new Promise<unknown>((resolve, reject) => {
    const stop = (error: Error) => {
      fail(error);
      reject(error);
    };
    worker.on('message', (message: { ready?: true; ok?: boolean; result?: unknown; error?: string }) => {
      if (message.ready) markReady();
      else if (message.ok) resolve(message.result);
      else stop(new Error(`worker ${label} failed: ${message.error}`));
    });
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`worker ${label} exited with ${code} before reporting`)));
  });
  // Rejections are observed through `ready` or `done`, whichever the test is awaiting.
  done.catch(() => {});
  ready.catch(() => {});
  return { ready, go: () => worker.postMessage('go'), done, terminate: () => worker.terminate() };
}
