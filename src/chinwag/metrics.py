"""Prometheus metrics (served at /metrics)."""

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "chinwag_http_requests_total", "HTTP requests answered", ["method", "status"]
)
HTTP_SECONDS = Histogram("chinwag_http_request_duration_seconds", "HTTP request duration")
MESSAGES_SENT = Counter("chinwag_messages_sent_total", "Messages stored from users")
