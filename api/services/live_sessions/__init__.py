"""Live sessions service: a set coached while it happens. Frames come in batches (keypoints from the device, or
small JPEG frames posed here), each answered with what changed; `finish` stores the set as an analysis.

The running assessment is kept in a session store that every worker reaches (Redis when `LIVE_STORE_URL` is set,
the database otherwise) and every update is a compare-and-set on its version, so a session survives reconnects,
worker restarts and being served by any worker. Sessions not fed for `LIVE_SESSION_TTL_S` expire.
"""

from api.services.live_sessions.service import LiveService, LiveSettings
from api.services.live_sessions.stores import ACTIVE, EXPIRED, FINISHED, DatabaseStore, HeldState, RedisStore, store_for

__all__ = [
    "ACTIVE",
    "EXPIRED",
    "FINISHED",
    "DatabaseStore",
    "HeldState",
    "LiveService",
    "LiveSettings",
    "RedisStore",
    "store_for",
]
