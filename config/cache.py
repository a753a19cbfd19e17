"""The production cache: Redis, with the database cache standing in while Redis is down.

Sign-in (django-allauth's rate limits) and roster apply (a one-shot claim) go
through the cache, so with Django's plain RedisCache an outage of Redis is a 500
on those pages: nobody can sign in. This backend is that RedisCache; when a call
to Redis fails it answers the call from another cache instead (the FALLBACK
alias: Django's DatabaseCache on the `reflect_cache` table, which is also the
cache of a site without Redis), logs one warning for the outage, and leaves
Redis alone for RETRY_SECONDS so that requests don't each wait for a dead server
(short socket timeouts, set in settings, bound the one that does). Rate limits
and claims keep working meanwhile, counted in the database. What Redis held is
out of sight until it answers again, as if the cache had been emptied.

Any RedisError counts, not only a refused or timed-out connection: a Redis that
answers with an error (a read-only replica after a failover, out of memory,
unable to save) fails the request just the same.
"""

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class Outage:
    """Whether the Redis at one address is down, for every thread of this process
    (each thread has a cache object of its own), so it is reported once, not per call."""

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self.skip_until = 0.0
        self.ongoing = False
        self._lock = threading.Lock()

    def skipping(self) -> bool:
        return time.monotonic() < self.skip_until

    def failed(self, error: RedisError) -> None:
        with self._lock:
            self.skip_until = time.monotonic() + self.retry_seconds
            began, self.ongoing = not self.ongoing, True
        if began:
            logger.warning(
                "Redis cache unreachable (%s: %s); using the database cache until Redis answers again.",
                type(error).__name__,
                error,
            )

    def ended(self) -> None:
        with self._lock:
            ended, self.ongoing = self.ongoing, False
        if ended:
            logger.info("Redis cache answers again; back to Redis.")


_outages: dict[str, Outage] = {}  # by the Redis address (LOCATION)


def _falls_back(name: str):
    """RedisCache's method `name`, answered by the fallback cache while Redis fails."""

    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


class RedisWithDatabaseFallback(RedisCache):
    """RedisCache, falling back to the cache named by OPTIONS["FALLBACK"] while Redis fails."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        # Ours, not the Redis connection pool's: taken out before RedisCache passes OPTIONS on.
        self._fallback = options.pop("FALLBACK")
        retry_seconds = options.pop("RETRY_SECONDS", 5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._outage = _outages.setdefault(str(server), Outage(retry_seconds))

    def _call(self, name: str, *args, **kwargs):
        if self._outage.skipping():
            return getattr(caches[self._fallback], name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except RedisError as error:
            self._outage.failed(error)
            return getattr(caches[self._fallback], name)(*args, **kwargs)
        if self._outage.ongoing:
            self._outage.ended()
        return result

    # Every method RedisCache implements itself. BaseCache builds the rest (get_or_set,
    # decr, incr_version, the async ones) from these, so they fall back too.
    add = _falls_back("add")
    get = _falls_back("get")
    set = _falls_back("set")
    touch = _falls_back("touch")
    delete = _falls_back("delete")
    get_many = _falls_back("get_many")
    has_key = _falls_back("has_key")
    incr = _falls_back("incr")
    set_many = _falls_back("set_many")
    delete_many = _falls_back("delete_many")
    clear = _falls_back("clear")
