// Fault switches shared by the provider fakes: HTTP failures, misbehaving tasks and missing result files.

/** Every failure a fake can be told to produce. */
export type FakeFault =
  /** Answers 400 with the provider's documented error shape and `message`. */
  | 'status400'
  /** Answers 401 as if the key were wrong. */
  | 'status401'
  /** Answers 402 (insufficient balance/credits). */
  | 'status402'
  /** Answers 429 with a `Retry-After` header. */
  | 'status429'
  | 'status500'
  | 'status502'
  /** Answers 200 with a body that is not JSON. */
  | 'malformedJson'
  /** Never answers (the connection stays open until the client gives up or the fake closes). */
  | 'hang'
  /** Tasks created while set never finish. */
  | 'taskNeverFinishes'
  /** Tasks created while set fail when they would have succeeded. */
  | 'taskFails'
  /** Result image URLs answer 404. */
  | 'resultNotFound';

/** Which calls an HTTP fault hits. */
export type FakeEndpoint = 'create' | 'poll';

/** Options for a fault. */
export interface FaultSettings {
  /** Which calls an HTTP fault applies to; default both. */
  on?: FakeEndpoint | 'any';
  /** `Retry-After` header value for `status429` (default "7"): seconds or an HTTP date. */
  retryAfter?: string;
  /** How many calls the fault hits before it clears itself; default unlimited. */
  times?: number;
  /** Message in the error body (for `status400`, `taskFails`, 5xx). */
  message?: string;
}

/** An HTTP-level fault to apply to one call. */
export interface HttpFault {
  fault: Exclude<FakeFault, 'taskNeverFinishes' | 'taskFails' | 'resultNotFound'>;
  settings: FaultSettings;
}

const httpFaults = new Set<FakeFault>(['status400', 'status401', 'status402', 'status429', 'status500', 'status502', 'malformedJson', 'hang']);

/** What a task created now should do. */
export type TaskBehaviour = 'normal' | 'neverFinishes' | 'fails';

/** The fault state of one fake. One fault is active at a time. */
export class FaultSwitch {
  private active: { fault: FakeFault; settings: FaultSettings; remaining: number } | undefined;

  /** Activates `fault` (replacing any other); `null` clears. */
  set(fault: FakeFault | null, settings: FaultSettings = {}): void {
    this.active = fault === null ? undefined : { fault, settings, remaining: settings.times ?? Number.POSITIVE_INFINITY };
  }

  /** The HTTP fault for a call to `endpoint`, consuming one use, or undefined. */
  takeHttpFault(endpoint: FakeEndpoint): HttpFault | undefined {
    const active = this.active;
    if (active === undefined || !httpFaults.has(active.fault)) return undefined;
    const on = active.settings.on ?? 'any';
    if (on !== 'any' && on !== endpoint) return undefined;
    this.consume();
    return { fault: active.fault as HttpFault['fault'], settings: active.settings };
  }

  /** The behaviour for a task being created now, consuming one use of a task fault. */
  takeTaskBehaviour(): { behaviour: TaskBehaviour; message: string | undefined } {
    const active = this.active;
    if (active?.fault === 'taskNeverFinishes' || active?.fault === 'taskFails') {
      this.consume();
      return { behaviour: active.fault === 'taskFails' ? 'fails' : 'neverFinishes', message: active.settings.message };
    }
    return { behaviour: 'normal', message: undefined };
  }

  /** True when result files should answer 404 (consumes one use). */
  takeResultNotFound(): boolean {
    if (this.active?.fault !== 'resultNotFound') return false;
    this.consume();
    return true;
  }

  private consume(): void {
    if (this.active === undefined) return;
    this.active.remaining -= 1;
    if (this.active.remaining <= 0) this.active = undefined;
  }
}
