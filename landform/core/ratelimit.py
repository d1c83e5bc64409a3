"""The public routes' rate limiter: Litestar's, counting in one Redis round trip, open when Redis is down."""

from __future__ import annotations

import logging
from typing import Any, cast

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import DURATION_VALUES, CacheObject, RateLimitConfig, RateLimitMiddleware
from litestar.stores.base import Store
from litestar.types import Message, Receive, Scope, Send

from landform.core.http import CountingRedisStore, count_hits

log = logging.getLogger(__name__)


class FailOpenRateLimit(RateLimitMiddleware):
    """Litestar's rate limiter, counting in one atomic Redis round trip, and open when the store is down.

    Litestar's own counting reads a list of every request's time, appends, and writes it back, under a
    lock that queues all requests of the process behind two Redis round trips (and a list as long as
    the limit). On Redis (`CountingRedisStore`) the same window (it starts at the first hit and lasts
    the limit's unit) is counted with INCR instead: exact across processes, no lock, and the limits in
    `also` (per form, beside this one per address) are counted in the same round trip. Other stores
    (the embedded default's memory) keep Litestar's way, one limit after the other.

    The limits guard against abuse; the outbox guards against loss. When Redis is down the broker is
    down too and every accepted lead waits in the database, so refusing them would be the worse harm.
    """

    def __init__(self, app: Any, config: RateLimitConfig, also: tuple[RateLimitConfig, ...] = ()) -> None:
        self.next_app = app
        self.others: list[FailOpenRateLimit] = []
        for other in reversed(also):
            app = FailOpenRateLimit(app, other)
            self.others.insert(0, app)
        super().__init__(app, config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["litestar_app"]
        limits = [self, *self.others]
        stores = [limit.config.get_store_from_app(app) for limit in limits]
        if not all(isinstance(store, CountingRedisStore) for store in stores):
            await super().__call__(scope, receive, send)
            return
        request: Request[Any, Any, Any] = app.request_class(scope)
        counting = cast(list[CountingRedisStore], stores)
        checked = [
            (limit, store, limit.cache_key_from_request(request))
            for limit, store in zip(limits, counting, strict=True)
            if await limit.should_check_request(request=request)
        ]
        if checked:
            try:
                counts = await count_hits([(store, key, limit._window) for limit, store, key in checked])
            except Exception:
                log.warning("intake: rate-limit store unavailable; not limiting")
            else:
                # The headers tell the limit closest to running out; a 429 the first limit exceeded.
                tightest: tuple[int, dict[str, str]] | None = None
                for (limit, _store, _key), (hits, reset) in zip(checked, counts, strict=True):
                    headers = limit._headers(hits, reset)
                    if hits > limit.max_requests:
                        raise TooManyRequestsException(
                            headers=headers if limit.config.set_rate_limit_headers else None
                        )
                    left = limit.max_requests - hits
                    if limit.config.set_rate_limit_headers and (tightest is None or left < tightest[0]):
                        tightest = (left, headers)
                if tightest is not None:
                    send = self._with_headers(send, tightest[1])
        await self.next_app(scope, receive, send)

    @property
    def _window(self) -> int:
        return DURATION_VALUES[self.unit]

    def _headers(self, hits: int, reset: int) -> dict[str, str]:
        config = self.config
        return {
            config.rate_limit_policy_header_key: f"{self.max_requests}; w={self._window}",
            config.rate_limit_limit_header_key: str(self.max_requests),
            config.rate_limit_remaining_header_key: str(max(self.max_requests - hits, 0)),
            config.rate_limit_reset_header_key: str(reset),
        }

    @staticmethod
    def _with_headers(send: Send, headers: dict[str, str]) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        return send_with_headers

    async def retrieve_cached_history(self, key: str, store: Store) -> CacheObject:
        try:
            return await super().retrieve_cached_history(key, store)
        except Exception:
            log.warning("intake: rate-limit store unavailable; not limiting")
            return CacheObject(history=[], reset=0)

    async def set_cached_history(self, key: str, cache_object: CacheObject, store: Store) -> None:
        try:
            await super().set_cached_history(key, cache_object, store)
        except Exception:
            log.warning("intake: rate-limit store unavailable; not limiting")
