"""What benchmarks/load.py records and prints: latency per request kind, errors and causes."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Timeout|Interrupt)\w*: ")
READS = ("home", "postmortem", "actions", "library", "search")
# Fragments a page loads after itself (as a browser does), counted with the requests.
FRAGMENTS = ("similar panel", "search facets", "blameless review")


@dataclass(frozen=True, slots=True)
class Sample:
    kind: str
    status: int  # 0: no answer (timeout, refused connection)
    seconds: float
    cause: str = ""


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    writes: list[dict[str, str]] = field(default_factory=list)  # acknowledged by the server
    unknown: list[dict[str, str]] = field(default_factory=list)  # sent, never answered
    causes: dict[tuple[str, int], str] = field(default_factory=dict)
    started: float = 0.0
    stopped: float = 0.0
    measuring: bool = False
    cpu_before: float = 0.0
    cpu: float = 0.0  # CPU seconds the server used while measured
    generator_cpu: float = 0.0  # CPU seconds this load generator used meanwhile

    def start(self) -> None:
        self.samples.clear()
        self.started, self.measuring = time.perf_counter(), True

    def stop(self) -> None:
        self.stopped, self.measuring = time.perf_counter(), False

    def add(self, sample: Sample) -> None:
        if self.measuring:
            self.samples.append(sample)


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(share * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def _row(label: str, samples: list[Sample], elapsed: float) -> str:
    times = sorted(s.seconds * 1000 for s in samples)
    p50, p95, p99 = (percentile(times, q) for q in (0.50, 0.95, 0.99))
    errors = sum(1 for s in samples if _is_error(s))
    return (
        f"{label:<14} {len(samples):>7} {len(samples) / elapsed:>8.1f} {p50:>8.0f} {p95:>8.0f}"
        f" {p99:>8.0f} {times[-1] if times else 0:>8.0f} {errors:>6}"
    )


def _is_error(sample: Sample) -> bool:
    return sample.status == 0 or sample.status >= 400


def server_errors(log: str) -> Counter[str]:
    """The last exception line of each logged server error, counted; and worker timeouts."""
    found: Counter[str] = Counter()
    for chunk in log.split("Internal Server Error: ")[1:]:
        lines = [line for line in chunk.splitlines() if EXCEPTION_LINE.match(line)]
        found[lines[-1][:160] if lines else "(no exception line)"] += 1
    found["gunicorn WORKER TIMEOUT"] += log.count("WORKER TIMEOUT")
    return +found


def print_report(recorder: Recorder, causes: Counter[str]) -> None:
    elapsed = recorder.stopped - recorder.started
    samples = recorder.samples
    print(f"\n{len(samples)} requests in {elapsed:.1f} s = {len(samples) / elapsed:.1f} requests/s")
    print(f"{'kind':<14} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          f" {'max ms':>8} {'errors':>6}")  # fmt: skip
    kinds = sorted({s.kind for s in samples}, key=lambda k: (k not in READS, k))
    for kind in kinds:
        print(_row(kind, [s for s in samples if s.kind == kind], elapsed))
    print(_row("pages+search", [s for s in samples if s.kind in READS], elapsed))
    print(_row("overall", samples, elapsed))
    errors = Counter(
        (s.status, s.cause or recorder.causes.get((s.kind, s.status), ""))
        for s in samples
        if _is_error(s)
    )
    if recorder.cpu and samples:
        per_request = recorder.cpu / len(samples) * 1000
        print(
            f"server CPU: {recorder.cpu:.1f} s = {per_request:.0f} ms per request; "
            f"on idle cores that is at most {1000 / per_request:.0f} requests/s per core"
        )
        print(
            f"load generator CPU: {recorder.generator_cpu:.1f} s = "
            f"{recorder.generator_cpu / len(samples) * 1000:.0f} ms per request (same machine)"
        )
    print(f"errors: {sum(errors.values())}")
    for (status, cause), count in errors.most_common():
        print(f"  {count:>6} x {status or 'no answer'} {cause}")
    for line, count in causes.most_common(10):
        print(f"  server log: {count:>6} x {line}")
