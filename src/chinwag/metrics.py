"""Prometheus metrics: what an operator asks of a chat server (how many are connected, does
every event arrive, how long does a send take, is the database or the broker the slow part).

Served at /metrics (bearer CHINWAG_METRICS_TOKEN) or on a port of their own
(`chinwag serve --metrics-port`); with `--workers N` every process writes its values to
PROMETHEUS_MULTIPROC_DIR and any of them answers for all (prometheus_client's multiprocess
mode). deploy/grafana/chinwag.json charts them; tests/test_metrics.py checks that every metric
it queries exists.

Deliveries happen tens of thousands of times a second: they are counted in plain integers
(`TALLY`) and added to their counters once a second and at each scrape (`flush`), so the
hot path pays an integer increment, not a metric update."""

from __future__ import annotations

import os
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Chat latencies live between a millisecond and a few seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# A database unit is usually well under a millisecond.
UNIT_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5)

HTTP_REQUESTS = Counter(
    "chinwag_http_requests_total",
    "HTTP requests answered, by route template (never the raw path) and status",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "chinwag_http_request_duration_seconds",
    "HTTP request duration by route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
MESSAGES_SENT = Counter("chinwag_messages_sent_total", "Messages stored from users")
SEND_SECONDS = Histogram(
    "chinwag_send_to_publish_seconds",
    "From a send arriving (REST or socket) to its message.new published to the broker",
    buckets=LATENCY_BUCKETS,
)
DB_UNIT_SECONDS = Histogram(
    "chinwag_db_unit_seconds",
    "Database units of work, queueing included, by kind (read or write)",
    ["kind"],
    buckets=UNIT_BUCKETS,
)
# Gauges of a process's own sockets; with several processes their sum is the server's.
OPEN_SOCKETS = Gauge(
    "chinwag_websockets_open", "WebSockets open on the process", multiprocess_mode="livesum"
)
ONLINE_USERS = Gauge(
    "chinwag_users_connected",
    "People with at least one socket open on the process (one on two processes counts twice)",
    multiprocess_mode="livesum",
)
EVENTS_DELIVERED = Counter("chinwag_events_delivered_total", "Events written to a socket")
EVENTS_DROPPED = Counter(
    "chinwag_events_dropped_total",
    "Events a socket never got: typing dropped from a full queue, or the event and the queue "
    "given up when it overflowed (close 1013; the client resumes from history)",
    ["reason"],
)
WS_CLOSES = Counter(
    "chinwag_websocket_closes_total",
    "Sockets closed by the server, by close code (1008 policy/flood, 1009 too big, 1013 "
    "overloaded or database unavailable)",
    ["code"],
)
BROKER_RECONNECTS = Counter(
    "chinwag_broker_reconnects_total", "Times the Redis subscriber connection was lost"
)
JOB_RUNS = Counter(
    "chinwag_background_job_runs_total",
    "Background jobs run, by job and outcome",
    ["job", "outcome"],
)
RETENTION_REMOVED = Counter(
    "chinwag_retention_removed_total",
    "What the retention sweep deleted: messages (with their reactions, mentions and search "
    "entries) and files no message or avatar used any more",
    ["kind"],
)

# Children that exist before their first event, so a dashboard shows 0 rather than nothing.
for _code in ("1008", "1009", "1013"):
    WS_CLOSES.labels(_code)
for _reason in ("typing", "overflow"):
    EVENTS_DROPPED.labels(_reason)
for _kind in ("read", "write"):
    DB_UNIT_SECONDS.labels(_kind)
for _kind in ("messages", "files"):
    RETENTION_REMOVED.labels(_kind)
for _job in ("presence_upkeep", "mail", "push", "missed_messages"):
    for _outcome in ("ok", "failed"):
        JOB_RUNS.labels(_job, _outcome)


@dataclass
class Tally:
    """Counts kept as plain integers on the hot path, added to the counters by flush()."""

    delivered: int = 0
    dropped_typing: int = 0
    dropped_overflow: int = 0


TALLY = Tally()


def flush(hub=None) -> None:
    """Move the tallies into their counters and set the gauges from `hub` (this process's)."""
    delivered, typing, overflow = TALLY.delivered, TALLY.dropped_typing, TALLY.dropped_overflow
    TALLY.delivered = TALLY.dropped_typing = TALLY.dropped_overflow = 0
    if delivered:
        EVENTS_DELIVERED.inc(delivered)
    if typing:
        EVENTS_DROPPED.labels("typing").inc(typing)
    if overflow:
        EVENTS_DROPPED.labels("overflow").inc(overflow)
    if hub is not None:
        OPEN_SOCKETS.set(sum(len(sockets) for sockets in hub.connections.values()))
        ONLINE_USERS.set(len(hub.connections))


def count_close(code: int) -> None:
    WS_CLOSES.labels(str(code)).inc()


def exposition() -> tuple[bytes, str]:
    """The metrics as Prometheus text: this process's, or with several processes all of
    theirs."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def share_between_processes() -> None:
    """Before workers start: a fresh folder where each writes its values (kept if the
    operator named one), removed when the server exits."""
    import atexit
    import shutil
    import tempfile

    if os.environ.get(MULTIPROCESS_ENV):
        folder = os.environ[MULTIPROCESS_ENV]
        for stale in os.listdir(folder):  # an earlier run's values are not this one's
            if stale.endswith(".db"):
                os.unlink(os.path.join(folder, stale))
        return
    folder = tempfile.mkdtemp(prefix="chinwag-metrics-")
    os.environ[MULTIPROCESS_ENV] = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


def serve_on_port(port: int, host: str) -> None:
    """The metrics on a port of their own, from a thread of this process (the one that
    starts the workers, when there are several: it reads what they wrote)."""
    from prometheus_client import REGISTRY, start_http_server

    registry = REGISTRY
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
    start_http_server(port, addr=host, registry=registry)


def process_gone(pid: int) -> None:
    """A worker's live gauges stop counting once it has exited."""
    if os.environ.get(MULTIPROCESS_ENV):
        _multiprocess.mark_process_dead(pid)
