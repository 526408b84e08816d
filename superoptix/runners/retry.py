"""Which failures are worth retrying, and how long to wait before the next attempt."""

from __future__ import annotations

import random

from superoptix.errors import TransientError

_TRANSIENT_NAMES = {
    # DSPy 3.4's LM errors
    "LMRateLimitError", "LMTimeoutError", "LMServerError", "LMTransportError", "LMLockTimeoutError",
    # LiteLLM / OpenAI SDK names, matched by name so neither has to be imported
    "RateLimitError", "Timeout", "APITimeoutError", "APIConnectionError",
    "ServiceUnavailableError", "InternalServerError", "BadGatewayError",
}
_TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def is_transient(exc: BaseException) -> bool:
    """Rate limits, timeouts, connection and server errors are transient; everything else is not."""
    if isinstance(exc, (TransientError, TimeoutError, ConnectionError)):
        return True
    if any(cls.__name__ in _TRANSIENT_NAMES for cls in type(exc).__mro__):
        return True
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    return isinstance(status, int) and status in _TRANSIENT_STATUS


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
    if base <= 0:
        return 0.0
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


def error_info(exc: BaseException) -> dict[str, object]:
    return {"type": type(exc).__name__, "message": str(exc), "transient": is_transient(exc)}
