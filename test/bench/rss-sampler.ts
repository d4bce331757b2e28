// Samples this process's resident set size on a short interval and keeps the peaks.

/** Peaks seen by the sampler, in bytes. */
export interface RssPeaks {
  /** Highest RSS over the whole sampling. */
  peakBytes: number;
  /** Highest RSS while the `inFlight` probe said every job was still unfinished. */
  peakAllInFlightBytes: number;
  samples: number;
}

/** A running sampler; `stop()` ends it and returns the peaks. */
export interface RssSampler {
  stop(): RssPeaks;
}

/**
 * Starts sampling every `intervalMs`. `allInFlight` is asked at each sample, so the report can
 * separate "every job submitted and waiting" from the download/delivery burst at the end.
 */
export function startRssSampler(intervalMs: number, allInFlight: () => boolean): RssSampler {
  const peaks: RssPeaks = { peakBytes: 0, peakAllInFlightBytes: 0, samples: 0 };
  const sample = () => {
    const rss = process.memoryUsage.rss();
    peaks.samples += 1;
    peaks.peakBytes = Math.max(peaks.peakBytes, rss);
    if (allInFlight()) peaks.peakAllInFlightBytes = Math.max(peaks.peakAllInFlightBytes, rss);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { ...peaks };
    },
  };
}
