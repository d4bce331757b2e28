// Held REST answers for the fake Discord: a matching call takes effect at once but its HTTP answer waits, as when the bot dies before hearing back.

/** Which REST calls to hold: the method (any when unset) and a pattern over the decoded path under /api/v10. */
export interface CallMatch {
  method?: string;
  path: RegExp;
}

/** A test's handle on one hold. */
export interface HeldAnswers {
  /** How many matching calls have taken effect and are waiting for their answer. */
  readonly calls: number;
  /** Sends the waiting answers and answers every later call at once. */
  release(): void;
  /** Answers later calls at once; the waiting answers stay unsent until the fake closes (their process is gone). */
  stopHolding(): void;
}

interface Hold {
  match: CallMatch;
  waiting: Array<() => void>;
  calls: number;
}

/** The holds a test placed, checked for every REST call after it was carried out. */
export class RestHolds {
  private readonly holds: Hold[] = [];

  /** Holds the answers of calls matching `match` until released. */
  hold(match: CallMatch): HeldAnswers {
    const hold: Hold = { match, waiting: [], calls: 0 };
    this.holds.push(hold);
    const remove = () => {
      const index = this.holds.indexOf(hold);
      if (index >= 0) this.holds.splice(index, 1);
    };
    return {
      get calls() {
        return hold.calls;
      },
      release: () => {
        remove();
        for (const answer of hold.waiting.splice(0)) answer();
      },
      stopHolding: remove,
    };
  }

  /** Resolves at once for calls no hold matches, else when their hold is released (never, if it is not). */
  async wait(method: string, path: string): Promise<void> {
    const hold = this.holds.find((candidate) =>
      (candidate.match.method === undefined || candidate.match.method === method) && candidate.match.path.test(path));
    if (hold === undefined) return;
    hold.calls += 1;
    await new Promise<void>((answer) => hold.waiting.push(answer));
  }
}
