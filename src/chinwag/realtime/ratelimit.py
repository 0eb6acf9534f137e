"""Per-user send rate limit: a token bucket, with a flood counter that ends abusive sockets."""

from __future__ import annotations

from chinwag.limits import Buckets


class SendLimiter:
    """One bucket per user on this process (all their sockets share it)."""

    def __init__(self, rate: float, burst: int, flood_after: int) -> None:
        self.flood_after = flood_after
        self._buckets = Buckets(rate, burst)

    def allow(self, user_id: int) -> bool:
        return self._buckets.take(user_id)

    def flooding(self, user_id: int) -> bool:
        """Still sending hard after being refused `flood_after` times (refusals decay)."""
        return self._buckets.get(user_id).refused >= self.flood_after

    def forget(self, user_id: int) -> None:
        self._buckets.forget(user_id)
