/**
 * The figures every fault case reports (issue #20): requests sent, answered, failed, lost and
 * answered with a 5xx, and the latency of the answered ones, from every request the load made.
 */
import type { TimedRequest } from '../../../test/helpers/connection-per-request.ts';

export type FaultFigures = {
  sent: number;
  /** A whole HTTP response came back, whatever its status. */
  answered: number;
  /** Anything but a 200: no whole response (refused, reset, closed, truncated) or another status. */
  failed: number;
  /** Failed after a server accepted the connection (a refusal is not lost: nothing listened). */
  lost: number;
  fiveXX: number;
  p50Ms: number;
  p99Ms: number;
};

/** Every request of a load, kept for the figures and for asking when the failures happened. */
export class RequestLog {
  readonly requests: TimedRequest[] = [];

  /** For `LoadLimits.onRequest`. */
  readonly add = (request: TimedRequest): void => {
    this.requests.push(request);
  };

  /** The requests that got no whole answer. */
  failures(): TimedRequest[] {
    return this.requests.filter((request) => request.one.kind !== 'answered');
  }

  /** The requests open at some moment from `from` to `to` (`performance.now()` times). */
  openDuring(from: number, to = from): TimedRequest[] {
    return this.requests.filter((request) => request.startedAt <= to && request.endedAt >= from);
  }

  figures(): FaultFigures {
    const answered = this.requests.filter((request) => request.one.kind === 'answered');
    const latencies = answered
      .map((request) => request.endedAt - request.startedAt)
      .sort((a, b) => a - b);
    const percentile = (p: number) =>
      latencies.length === 0
        ? 0
        : Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
    const failures = this.failures();
    return {
      sent: this.requests.length,
      answered: answered.length,
      failed: this.requests.length - answered.filter((request) => ok(request.one)).length,
      lost: failures.filter((request) => request.one.kind !== 'refused').length,
      fiveXX: answered.filter((request) => 'status' in request.one && request.one.status >= 500)
        .length,
      p50Ms: percentile(0.5),
      p99Ms: percentile(0.99),
    };
  }
}

export type Judged = {
  withinTarget: boolean;
  problems: string[];
};

const ok = (one: TimedRequest['one']) => one.kind === 'answered' && one.status === 200;

/**
 * A case's figures as `npm run soak` reports them (bench/soak/case.ts): whether every target of
 * the case was met, and what missed it. `targets`: each met or not, and what to say if not.
 */
export function judged<F extends object>(
  figures: F,
  targets: [met: boolean, missed: string][],
): F & Judged {
  const problems = targets.filter(([met]) => !met).map(([, missed]) => missed);
  return { ...figures, withinTarget: problems.length === 0, problems };
}
