// Readiness: every part the bot needs (each platform connection, the store) asked at once, each within a time limit.

/** One part that must be ready for the bot to be. */
export interface ReadinessProbe {
  /** Names the part in the 503 body: `discord`, `slack`, `store`. */
  readonly name: string;
  /**
   * Undefined when the part is ready, otherwise a short reason without secrets or ids ("gateway not
   * connected"). A throw or no answer within the time limit counts as not ready.
   */
  check(): string | undefined | Promise<string | undefined>;
}

/** What `/readyz` answers. */
export interface ReadinessReport {
  ready: boolean;
  /** `name: reason` for every part that is not ready, in the order the probes were added. */
  failing: string[];
}

/** The probes of one bot process. */
export interface Readiness {
  /** Adds a probe: from now on it must pass too. */
  add(probe: ReadinessProbe): void;
  /** Asks every probe at once; resolves within about `timeoutMs` whatever they do. */
  evaluate(): Promise<ReadinessReport>;
}

/** Options of `createReadiness`. */
export interface ReadinessOptions {
  /** Longest wait for one probe (default 2 s): a hung database must not hang the health check with it. */
  timeoutMs?: number;
}

/** A place to add probes and ask them all. */
export function createReadiness(options: ReadinessOptions = {}): Readiness {
  const timeoutMs = options.timeoutMs ?? 2000;
  const probes: ReadinessProbe[] = [];

  async function ask(probe: ReadinessProbe): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(() => probe.check()), timeout]);
    } catch {
      // The error's text can carry connection details; the reason stays generic, the logs have the rest.
      return 'check failed';
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    add(probe) {
      probes.push(probe);
    },
    async evaluate() {
      const reasons = await Promise.all(probes.map((probe) => ask(probe)));
      const failing = probes.flatMap((probe, index) => (reasons[index] === undefined ? [] : [`${probe.name}: ${reasons[index]}`]));
      return { ready: failing.length === 0, failing };
    },
  };
}

/** A store answers when a primary-key lookup comes back (no job has this id: nothing is read but the index). */
export function storeProbe(store: { get(jobId: string): Promise<unknown> }): ReadinessProbe {
  return {
    name: 'store',
    async check() {
      await store.get('readiness-probe');
      return undefined;
    },
  };
}

/** A probe for a part that does not exist yet: it answers `reason` until `attach` hands it the part's own check. */
export interface DeferredProbe extends ReadinessProbe {
  /** From now on the probe asks `check`. */
  attach(check: () => string | undefined): void;
}

/** A platform that is still connecting: registered up front, so /readyz names it from the first request on. */
export function deferredProbe(name: string, reason: string): DeferredProbe {
  let current: () => string | undefined = () => reason;
  return {
    name,
    check: () => current(),
    attach(check) {
      current = check;
    },
  };
}
