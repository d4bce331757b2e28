// A hold switch for the fake's Web API: chosen calls wait unanswered (before or after taking effect) until released.

/**
 * `before`: the call has not reached Slack yet; on release it is carried out, unless its caller is
 * gone by then (a killed process's request never arrives). `after`: Slack carried it out (a file
 * is posted, a message edited) but the answer is withheld, so the caller never learns it worked.
 */
export type HoldStage = 'before' | 'after';

/** What a hold rule sees of a call. */
export interface HoldableCall {
  method: string;
  /** The label of the API URL the call came through (`FakeSlack.apiUrlFor`); undefined on the plain URL. */
  client: string | undefined;
  fields: Record<string, string>;
  /** The files the call is about: the one `files.getUploadURLExternal` announces, the ones `files.completeUploadExternal` completes. */
  files: AnnouncedFile[];
}

/** A file as announced for upload: its name and alt text (the bot puts the job id in one and the prompt in the other). */
export interface AnnouncedFile {
  name: string;
  altText: string | undefined;
}

/** Decides whether (and where) to hold a call; undefined lets it through. */
export type HoldRule = (call: HoldableCall) => HoldStage | undefined;

/** A call that was held, for assertions and diagnostics. */
export interface HeldCall {
  method: string;
  client: string | undefined;
  files: AnnouncedFile[];
  stage: HoldStage;
  heldAt: number;
  releasedAt: number | undefined;
}

interface ActiveRule {
  rule: HoldRule;
  released: Promise<void>;
  open(): void;
}

/** The rules in force and the calls they held. */
export class ApiHolds {
  readonly held: HeldCall[] = [];
  readonly #rules = new Set<ActiveRule>();

  /** Holds every call `rule` picks until the returned function is called (which also lifts the rule). */
  hold(rule: HoldRule): () => void {
    let open = () => {};
    const released = new Promise<void>((resolve) => {
      open = resolve;
    });
    const active: ActiveRule = { rule, released, open };
    this.#rules.add(active);
    return () => {
      this.#rules.delete(active);
      const now = Date.now();
      for (const call of this.held) if (call.releasedAt === undefined && heldBy.get(call) === active) call.releasedAt = now;
      active.open();
    };
  }

  /** The first rule that picks `call`: its stage, and a promise that resolves when that rule is released. */
  check(call: HoldableCall): { stage: HoldStage; released: Promise<void> } | undefined {
    for (const active of this.#rules) {
      const stage = active.rule(call);
      if (stage === undefined) continue;
      const record: HeldCall = { method: call.method, client: call.client, files: call.files, stage, heldAt: Date.now(), releasedAt: undefined };
      heldBy.set(record, active);
      this.held.push(record);
      return { stage, released: active.released };
    }
    return undefined;
  }

  /** Releases everything (the fake is closing). */
  releaseAll(): void {
    for (const active of [...this.#rules]) {
      this.#rules.delete(active);
      active.open();
    }
  }
}

/** Which rule held each call, kept out of the public record. */
const heldBy = new WeakMap<HeldCall, ActiveRule>();
