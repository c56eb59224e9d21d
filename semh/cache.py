"""The shared cache (login throttling and lockouts) on Redis, which keeps working while Redis is
out of reach: each process then counts in its own memory, as it does with no CACHE_URL at all.

Signing in must not fail because Redis is down (staff would then be unable to record an
incident); the lockout still holds within each web process meanwhile, and the shared counts come
back with Redis.
"""

import logging

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisUnreachable
from redis.exceptions import TimeoutError as RedisTimedOut

logger = logging.getLogger(__name__)

FALLS_BACK = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class RedisCacheWithLocalFallback(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(f"redis-fallback:{server}", params)


def _with_fallback(name):
    def method(self, *args, **kwargs):
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except (RedisUnreachable, RedisTimedOut):
            logger.warning(
                "The shared cache (Redis) is unreachable: %s uses this process's memory", name
            )
            return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in FALLS_BACK:
    setattr(RedisCacheWithLocalFallback, _name, _with_fallback(_name))
