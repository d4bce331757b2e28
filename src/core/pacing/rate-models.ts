// The rate models of one platform connection by bucket key: created on first use, forgotten once idle.
import type { RateModel } from './rate-model.ts';

/** Models by bucket key (`chat.update@T123`, `webhook:…`, `global`). */
export interface RateModels<Model extends RateModel = RateModel> {
  /** The model of `bucket`, created from the platform's figures on first use. */
  get(bucket: string): Model;
  /** The model of `bucket` if one exists. */
  peek(bucket: string): Model | undefined;
  /** Forgets models with nothing to remember (full, unblocked), so per-message routes do not pile up. */
  prune(now: number): void;
}

/** Models made by `create` for each new bucket key. */
export function createRateModels<Model extends RateModel>(create: (bucket: string) => Model): RateModels<Model> {
  const models = new Map<string, Model>();
  return {
    get(bucket) {
      let model = models.get(bucket);
      if (model === undefined) {
        model = create(bucket);
        models.set(bucket, model);
      }
      return model;
    },
    peek: (bucket) => models.get(bucket),
    prune(now) {
      for (const [bucket, model] of models) if (model.idle(now)) models.delete(bucket);
    },
  };
}
