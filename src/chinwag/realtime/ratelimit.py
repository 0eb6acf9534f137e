"""Per-user send rate limit: a token bucket, with a flood counter that ends abusive sockets."""

from __future__ import annotations

import time


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = time.monotonic()
        self.refused = 0.0  # refusals, decaying at `rate` per second (flood detection)

    def take(self) -> bool:
        now = time.monotonic()
        elapsed = now - self.updated
        self.updated = now
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.refused = max(0.0, self.refused - elapsed * self.rate)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused += 1
        return False


class SendLimiter:
    """One bucket per user on this process (all their sockets share it)."""

    def __init__(self, rate: float, burst: int, flood_after: int) -> None:
        self.rate, self.burst, self.flood_after = rate, burst, flood_after
        self._buckets: dict[int, TokenBucket] = {}

    def allow(self, user_id: int) -> bool:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = TokenBucket(self.rate, self.burst)
        return bucket.take()

    def flooding(self, user_id: int) -> bool:
        """Still sending hard after being refused `flood_after` times (refusals decay)."""
        bucket = self._buckets.get(user_id)
        return bucket is not None and bucket.refused >= self.flood_after

    def forget(self, user_id: int) -> None:
        bucket = self._buckets.get(user_id)
        if bucket is not None and bucket.tokens >= bucket.burst - 1e-9:
            del self._buckets[user_id]
