"""Metrics an operator can use: /metrics behind a bearer token (or on a port of its own),
routes by template, sockets, deliveries, closes, send and database latencies; and the Grafana
dashboard queries only metrics that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import assert_error
from tests.realtime.conftest import start_server, stop_server

TOKEN = "metrics-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DASHBOARD = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "chinwag.json"


@pytest.fixture
def settings_overrides() -> dict:
    return {"metrics_token": TOKEN}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape: (name, sorted labels) -> value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(http: httpx.AsyncClient) -> dict:
    response = await http.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_metrics_need_the_token(client):
    assert_error(await client.get("/metrics"), 401, "unauthorized")
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert_error(wrong, 401, "unauthorized")
    assert (await client.get("/metrics", headers=AUTH)).status_code == 200


class TestWithoutAToken:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {}

    async def test_metrics_are_not_served_on_the_public_port(self, client):
        error = assert_error(await client.get("/metrics"), 404, "not_found")
        assert "CHINWAG_METRICS_TOKEN" in error["message"]


async def test_http_metrics_are_by_route_template_never_the_raw_path(client, ana):
    await client.get("/api/chats/987654", headers=ana.headers)
    await client.get("/api/users/876543", headers=ana.headers)
    await client.get("/no/such/place-5551212")
    response = await client.get("/metrics", headers=AUTH)
    for raw in ("987654", "876543", "5551212"):
        assert raw not in response.text
    scraped = samples(response.text)
    assert (
        value(
            scraped,
            "chinwag_http_requests_total",
            method="GET",
            route="/api/chats/{chat_id}",
            status="404",
        )
        >= 1
    )
    assert (
        value(
            scraped,
            "chinwag_http_request_duration_seconds_count",
            method="GET",
            route="/api/users/{user_id}",
        )
        >= 1
    )
    assert (
        value(scraped, "chinwag_http_requests_total", method="GET", route="unmatched", status="404")
        >= 1
    )


async def test_sockets_deliveries_and_latencies(settings, signup, client):
    from chinwag.client import ChinwagClient

    ana, bob = await signup("ana"), await signup("bob")
    server, task, live = await start_server(settings)
    clients = []
    try:
        async with httpx.AsyncClient(base_url=live.url) as http:
            chat = await http.post(
                "/api/chats", headers=ana.headers, json={"name": "m", "member_ids": [bob.id]}
            )
            before = await scrape(http)
            for person in (ana, bob, bob):  # bob on two devices
                clients.append(ChinwagClient(live.url, person.access_token))
                await clients[-1].connect()
            message = await clients[0].send(chat.json()["id"], "hello")
            for device in clients[1:]:
                await device.wait_for(
                    lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
                )
            during = await scrape(http)
    finally:
        for device in clients:
            await device.close()
        await stop_server(server, task)
    assert value(during, "chinwag_websockets_open") == 3
    assert value(during, "chinwag_users_connected") == 2
    delivered = value(during, "chinwag_events_delivered_total") - value(
        before, "chinwag_events_delivered_total"
    )
    assert delivered >= 3 + 3  # a ready each, and message.new to every socket
    for name, labels in [
        ("chinwag_send_to_publish_seconds_count", {}),
        ("chinwag_db_unit_seconds_count", {"kind": "write"}),
        ("chinwag_db_unit_seconds_count", {"kind": "read"}),
        ("chinwag_messages_sent_total", {}),
    ]:
        assert value(during, name, **labels) > value(before, name, **labels), name


def queried_metrics(dashboard: dict) -> set[str]:
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    assert exprs
    # Metric names are the identifiers that aren't functions, labels or keywords of PromQL.
    return {name for expr in exprs for name in re.findall(r"\bchinwag_[a-z_]+\b", expr)}


async def test_every_metric_the_dashboard_queries_exists(client, ana):
    await client.get("/api/chats", headers=ana.headers)
    scraped = await scrape(client)
    names = {name for name, _ in scraped}
    dashboard = json.loads(DASHBOARD.read_text())
    wanted = queried_metrics(dashboard)
    assert len(wanted) >= 10
    assert wanted <= names, f"the dashboard queries what /metrics lacks: {wanted - names}"


def test_metrics_on_a_port_of_their_own(tmp_path):
    from tests.test_cli import _free_port, serving

    metrics_port = _free_port()
    with serving(tmp_path, "--metrics-port", str(metrics_port)) as url:
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        public = httpx.get(f"{url}/metrics", timeout=5)
        # listening before the server started (chinwag serve opens it first)
        response = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
    assert public.status_code == 404  # not on the public port, without a token
    assert response.status_code == 200
    scraped = samples(response.text)
    healthz = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value(scraped, "chinwag_http_requests_total", **healthz) >= 1
