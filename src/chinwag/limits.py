"""Token buckets: per user for sends (over every transport), per socket for frames, per client
address for the endpoints that hash passwords or send mail. In process memory: each worker
keeps its own (documented in docs/security.md)."""

from __future__ import annotations

import ipaddress
import time
from collections import Counter
from collections.abc import Hashable

MAX_KEYS = 100_000  # buckets kept before full (idle) ones are forgotten


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = time.monotonic()
        self.refused = 0.0  # refusals, decaying at `rate` per second (flood detection)

    def _refill(self) -> None:
        now = time.monotonic()
        elapsed = now - self.updated
        self.updated = now
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.refused = max(0.0, self.refused - elapsed * self.rate)

    def take(self) -> bool:
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused += 1
        return False

    def wait(self) -> float:
        """Seconds until the next token."""
        self._refill()
        return max(0.0, (1 - self.tokens) / self.rate)

    @property
    def full(self) -> bool:
        self._refill()
        return self.tokens >= self.burst - 1e-9


class Buckets:
    """A bucket per key, made on first use; idle (full) ones are dropped when too many."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[Hashable, TokenBucket] = {}

    def get(self, key: Hashable) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_idle()
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst)
        return bucket

    def take(self, key: Hashable) -> bool:
        return self.get(key).take()

    def forget(self, key: Hashable) -> None:
        """Drop `key`'s bucket if it is full (it would be remade identical)."""
        bucket = self._buckets.get(key)
        if bucket is not None and bucket.full:
            del self._buckets[key]

    def _forget_idle(self) -> None:
        for key in [key for key, bucket in self._buckets.items() if bucket.full]:
            del self._buckets[key]


class SendLimiter:
    """One bucket per user on this process for the messages they send, by REST or socket (all
    their sockets and requests share it), with a flood counter that ends abusive sockets."""

    def __init__(self, rate: float, burst: int, flood_after: int) -> None:
        self.flood_after = flood_after
        self._buckets = Buckets(rate, burst)

    def allow(self, user_id: int) -> bool:
        return self._buckets.take(user_id)

    def wait(self, user_id: int) -> float:
        """Seconds until the user may send again."""
        return self._buckets.get(user_id).wait()

    def flooding(self, user_id: int) -> bool:
        """Still sending hard after being refused `flood_after` times (refusals decay)."""
        return self._buckets.get(user_id).refused >= self.flood_after

    def forget(self, user_id: int) -> None:
        self._buckets.forget(user_id)


class MailLimiter:
    """Verification mails asked for (a resend, a change of address): `per_hour` per account
    (two at once, then one every 60/per_hour minutes), and ten times that per client address
    unless per-address limits are off."""

    ADDRESS_FACTOR = 10

    def __init__(self, per_hour: int, per_address: bool = True) -> None:
        self._accounts = Buckets(per_hour / 3600, min(2, per_hour))
        factor = self.ADDRESS_FACTOR
        self._addresses = Buckets(factor * per_hour / 3600, factor) if per_address else None

    def take(self, user_id: int, address: str) -> float:
        """0 when a mail may go now (and it is counted), else the seconds until one may."""
        account = self._accounts.get(user_id)
        place = self._addresses.get(address) if self._addresses is not None else None
        if place is not None and not place.take():
            return place.wait()
        if not account.take():
            return account.wait()
        return 0.0


def release(counter: Counter, key: Hashable) -> None:
    """Count one `key` less, forgetting it at zero (so idle keys don't pile up)."""
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


def address_key(host: str | None) -> str:
    """The client a per-address limit counts: the IPv4 address, or the /64 of an IPv6 one
    (one host is given a whole /64)."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)
