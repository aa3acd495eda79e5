/** The part of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    /** For `requests` and `throughput`: completed requests or bytes over the whole run. */
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }

  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Send exactly this many requests, then stop (instead of `duration`). */
    amount?: number;
    pipelining?: number;
    /** Seconds to wait for a response. */
    timeout?: number;
    headers?: Record<string, string>;
  }

  interface Result {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    /** Seconds the run actually took. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    /** Responses per status code. */
    statusCodeStats: Record<string, { count: number }>;
  }

  /** A running load test: await it for the result, or stop it early (it then resolves with what completed). */
  interface Instance extends PromiseLike<Result> {
    stop(): void;
    /** A request failed (socket error, or `timeout` seconds without a response). */
    on(event: 'reqError', listener: (error: Error & { code?: string }) => void): this;
  }

  function autocannon(options: Options): Instance;
  export = autocannon;
}
