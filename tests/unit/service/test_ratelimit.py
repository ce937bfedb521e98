"""The in-memory rate limiter: a sliding window per key, stepped by a hand-held clock."""

from __future__ import annotations

import threading

import pytest

from service.ratelimit import RateLimiter


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_allows_up_to_the_limit_then_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 3600, clock)
    assert [limiter.hit("ada") for _ in range(3)] == [0, 0, 0]
    clock.now += 600
    assert limiter.hit("ada") == 3000  # the first hit leaves the window 3000 s from now


def test_the_window_slides_one_hit_at_a_time() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 100, clock)
    limiter.hit("k")
    clock.now += 50
    limiter.hit("k")
    clock.now += 50  # the first hit is exactly one window old: it no longer counts
    assert limiter.hit("k") == 0
    assert limiter.hit("k") == 50  # the second hit leaves the window in 50 s
    clock.now += 50
    assert limiter.hit("k") == 0


def test_a_refused_request_is_not_counted() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 60, clock)
    limiter.hit("k")
    for _ in range(5):
        clock.now += 10
        assert limiter.hit("k") > 0
    clock.now += 10  # 60 s after the only counted hit
    assert limiter.hit("k") == 0


def test_keys_are_counted_apart() -> None:
    limiter = RateLimiter(1, 60, Clock())
    assert limiter.hit("ada") == 0
    assert limiter.hit("bob") == 0
    assert limiter.hit("ada") > 0


def test_a_fraction_of_a_second_left_is_rounded_up() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 10, clock)
    limiter.hit("k")
    clock.now += 9.75
    assert limiter.hit("k") == 1


def test_idle_keys_are_forgotten_once_a_window() -> None:
    clock = Clock()
    limiter = RateLimiter(5, 60, clock)
    for i in range(100):
        limiter.hit(f"key-{i}")
    assert len(limiter) == 100
    clock.now += 61
    limiter.hit("fresh")
    assert len(limiter) == 1


def test_threads_sharing_one_limiter_never_exceed_it() -> None:
    limiter = RateLimiter(50, 60, Clock())
    allowed: list[int] = []

    def worker() -> None:
        allowed.extend(1 for _ in range(20) if limiter.hit("shared") == 0)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 50


@pytest.mark.parametrize(("limit", "window"), [(0, 60), (-1, 60), (3, 0), (3, -5)])
def test_a_meaningless_limit_is_refused(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="limit"):
        RateLimiter(limit, window)
