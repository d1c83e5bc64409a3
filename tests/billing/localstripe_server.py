"""Run localstripe on loopback for the billing tests: `python localstripe_server.py PORT`.

localstripe 1.15 (the newest release) predates Stripe's Prices: a subscription item names a `plan`,
and a plan change takes `prorate` instead of `proration_behavior`. Stripe accepts a plan's id
wherever it asks for a price, so this translates those two parameters of the wire format and
nothing else. It also keeps the store in memory (localstripe pickles it to /tmp on every write)
and listens on 127.0.0.1 only (localstripe binds every interface).
"""

from __future__ import annotations

import sys
from typing import Any

from aiohttp import web
from localstripe import resources, server


def _plans(items: Any) -> Any:
    for item in items or []:
        if isinstance(item, dict) and "price" in item:
            item.setdefault("plan", item.pop("price"))
    return items


_create = resources.Subscription.__init__
_update = resources.Subscription._update


def _create_with_prices(self: Any, *args: Any, items: Any = None, **kwargs: Any) -> None:
    _create(self, *args, items=_plans(items), **kwargs)


def _update_with_prices(
    self: Any, items: Any = None, proration_behavior: str | None = None, **kwargs: Any
) -> Any:
    if proration_behavior is not None:
        kwargs.setdefault("prorate", proration_behavior == "create_prorations")
    return _update(self, items=_plans(items), **kwargs)


resources.Subscription.__init__ = _create_with_prices
resources.Subscription._update = _update_with_prices
resources.Store.dump_to_disk = lambda self: None

if __name__ == "__main__":
    web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
