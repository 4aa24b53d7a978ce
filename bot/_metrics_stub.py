"""Stand-ins for prometheus_client's classes in an environment installed before it became a
dependency (`pip install -e .` brings it): every update does nothing, and `/metrics` says
what to install (see `bot.metrics_http`), so the bot itself keeps running."""

from __future__ import annotations

from typing import Any


class _Metric:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def labels(self, *args: Any, **kwargs: Any) -> _Metric:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def observe(self, value: float) -> None:
        pass

    def set_to_current_time(self) -> None:
        pass


Counter = Gauge = Histogram = _Metric


class CollectorRegistry:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


def _collector(*args: Any, **kwargs: Any) -> None:
    return None


GCCollector = PlatformCollector = ProcessCollector = _collector
