"""Closed-loop HTTP load generator for bench_http, run as its own process:
`python -m tests.bench.loadgen SPEC.json` prints the results as JSON on stdout.

Each client is a thread with its own cookies and one http.client connection (kept alive
when the server allows it; gunicorn's sync workers close it after every response, and
http.client then reconnects). A client repeats its steps until the run ends: a warm-up,
then the measured window. Only requests that complete inside the window count.

A step is {"label", "method", "path", "form": {name: value}, "extract": {name: regex}}.
A form value "$name" is replaced by what an earlier step extracted (the first group of
its regex on the response body), e.g. a CSRF token or a card's version.
"""

from __future__ import annotations

import http.client
import json
import re
import resource
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

ALLOWED_HOST = "127.0.0.1"
MAX_REQUESTS_PER_CLIENT = 1_000_000


class Client(threading.Thread):
    def __init__(self, spec: dict, client: dict, clock: dict) -> None:
        super().__init__(daemon=True)
        self.host, self.port = spec["host"], int(spec["port"])
        self.timeout = float(spec["timeout"])
        self.steps = client["steps"]
        self.cookies: dict[str, str] = dict(client.get("cookies", {}))
        self.headers = dict(client.get("headers", {}))
        self.clock = clock
        # Answers (2xx/3xx) in the measured window: label, seconds, status, bytes.
        self.records: list[tuple[str, float, int, int]] = []
        self.errors: list[tuple[str, str]] = []  # label, message (measured window only)
        self.sent: dict[str, int] = {}  # every request with a 2xx/3xx answer, warm-up too
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def _request(self, step: dict, values: dict[str, str]) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if step.get("form") is not None:
            form = {
                key: values[value[1:]] if str(value).startswith("$") else value
                for key, value in step["form"].items()
            }
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self._connection()
        conn.request(step["method"], step["path"], body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self._drop()
        return response.status, data

    def run(self) -> None:
        measure_from, end = self.clock["measure_from"], self.clock["end"]
        done = 0
        while time.monotonic() < end and done < MAX_REQUESTS_PER_CLIENT:
            values: dict[str, str] = {}
            for step in self.steps:
                if time.monotonic() >= end:
                    break
                label = step["label"]
                started = time.monotonic()
                status, size, failure = 0, 0, None
                try:
                    status, body = self._request(step, values)
                    size = len(body)
                    if not 200 <= status < 400:
                        failure = f"HTTP {status}"
                    for name, pattern in (step.get("extract") or {}).items():
                        match = re.search(pattern, body.decode("utf-8", "replace"))
                        if match is None:
                            failure = failure or f"no {name} in the response"
                        else:
                            values[name] = match.group(1)
                except (OSError, http.client.HTTPException) as exc:
                    failure = f"{type(exc).__name__}: {exc}"
                    self._drop()
                finished = time.monotonic()
                done += 1
                if failure is None:
                    self.sent[label] = self.sent.get(label, 0) + 1
                if measure_from <= finished <= end:
                    if failure is None:
                        self.records.append((label, finished - started, status, size))
                    else:
                        self.errors.append((label, failure))
                if failure is not None:
                    time.sleep(0.01)  # no busy loop against a server that refuses
                    break  # start the steps again: a later step may need this one's values
        self._drop()


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return None
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarise(clients: list[Client], duration: float) -> dict[str, dict]:
    labels: dict[str, dict] = {}
    for client in clients:  # every label, even one that had no answer in the window
        for step in client.steps:
            labels.setdefault(
                step["label"], {"latencies": [], "statuses": {}, "bytes": 0, "errors": 0}
            )
    for client in clients:
        for label, seconds, status, size in client.records:
            entry = labels.setdefault(
                label, {"latencies": [], "statuses": {}, "bytes": 0, "errors": 0}
            )
            entry["latencies"].append(seconds)
            entry["statuses"][str(status)] = entry["statuses"].get(str(status), 0) + 1
            entry["bytes"] += size
        for label, _ in client.errors:
            labels.setdefault(label, {"latencies": [], "statuses": {}, "bytes": 0, "errors": 0})
            labels[label]["errors"] += 1
    result = {}
    for label, entry in labels.items():
        ordered = sorted(entry["latencies"])
        ms = [
            round(v * 1000, 2) if v is not None else None
            for v in (
                percentile(ordered, 0.50),
                percentile(ordered, 0.90),
                percentile(ordered, 0.99),
                ordered[-1] if ordered else None,
            )
        ]
        samples = [msg for c in clients for lab, msg in c.errors if lab == label]
        result[label] = {
            "requests": len(ordered),
            "rps": round(len(ordered) / duration, 2),
            "p50_ms": ms[0],
            "p90_ms": ms[1],
            "p99_ms": ms[2],
            "max_ms": ms[3],
            "mean_ms": round(sum(ordered) / len(ordered) * 1000, 2) if ordered else None,
            "errors": entry["errors"],
            "error_samples": sorted(set(samples))[:5],
            "statuses": entry["statuses"],
            "mean_bytes": round(entry["bytes"] / len(ordered)) if ordered else 0,
            "sent_total": sum(c.sent.get(label, 0) for c in clients),
        }
    return result


def main(path: str) -> None:
    with open(path) as handle:
        spec = json.load(handle)
    if spec["host"] != ALLOWED_HOST:
        raise SystemExit(f"loadgen only connects to {ALLOWED_HOST}")
    warmup, duration = float(spec["warmup"]), float(spec["duration"])
    start = time.monotonic()
    clock = {"measure_from": start + warmup, "end": start + warmup + duration}
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    clients = [Client(spec, client, clock) for client in spec["clients"]]
    for client in clients:
        client.start()
    # Requests still in flight at the end are not counted. Wait a little for them, then
    # leave: the caller waits for the server to be idle before the next run.
    drain_deadline = clock["end"] + min(float(spec["timeout"]), float(spec.get("drain", 10)))
    for client in clients:
        client.join(max(0.0, drain_deadline - time.monotonic()))
    stuck = sum(1 for client in clients if client.is_alive())
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage_after.ru_utime - usage_before.ru_utime) + (
        usage_after.ru_stime - usage_before.ru_stime
    )
    elapsed = time.monotonic() - start
    report = {
        "clients": len(clients),
        "warmup_s": warmup,
        "duration_s": duration,
        "drain_s": round(max(0.0, time.monotonic() - clock["end"]), 2),
        "stuck_clients": stuck,
        "loadgen_cpu_share": round(cpu / elapsed, 2),  # 1.0 = one core busy all the time
        "labels": summarise(clients, duration),
    }
    json.dump(report, sys.stdout)
    sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m tests.bench.loadgen SPEC.json")
    main(sys.argv[1])
