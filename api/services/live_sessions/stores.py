"""Where a live session's running state lives between batches: the database (the session's row, each batch's new
rows appended in `live_session_rows`) or Redis (`LIVE_STORE_URL`). Every write is a compare-and-set on the state's
version, so any worker can serve any batch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import delete, insert, select, update

from api.extensions import db
from api.ml.posture import SequenceAssessor
from api.models import LiveSession, LiveSessionRows
from api.models.base import as_utc, utcnow

ACTIVE, FINISHED, EXPIRED = "active", "finished", "expired"


class DatabaseStore:
    """The running state in the session's own row, each batch's new rows appended in `live_session_rows`."""

    def load(self, session: LiveSession) -> tuple[dict, bytes, int] | None:
        """The state as the session's row was read (in this request; a retry refreshes the row first)."""
        if session.state is None:
            return None
        chunks = db.session.scalars(
            select(LiveSessionRows.data)
            .where(LiveSessionRows.session_id == session.id)
            .order_by(LiveSessionRows.first_frame)
        )
        return session.state, b"".join(chunks), session.version

    def save(self, session: LiveSession, state: dict, rows: np.ndarray, saved_rows: int, version: int, ttl_s: int):
        """Write the new state and append the new rows if nobody else wrote since `version` was read; whether it
        was written."""
        changed = db.session.execute(
            update(LiveSession)
            .where(LiveSession.id == session.id, LiveSession.version == version, LiveSession.status == ACTIVE)
            .values(state=state, version=version + 1, expires_at=expiry(ttl_s))
        ).rowcount
        if changed == 1 and len(rows) > saved_rows:
            db.session.execute(
                insert(LiveSessionRows).values(
                    session_id=session.id, first_frame=saved_rows, data=rows[saved_rows:].tobytes()
                )
            )
        db.session.commit()
        return changed == 1

    def drop(self, session: LiveSession) -> None:
        session.state = None
        db.session.execute(delete(LiveSessionRows).where(LiveSessionRows.session_id == session.id))

    def expires_at(self, session: LiveSession):
        return as_utc(session.expires_at)


class RedisStore:
    """The running state in Redis keys that expire with the session; new rows are appended, never rewritten."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)

    @staticmethod
    def keys(session: LiveSession) -> tuple[str, str]:
        return f"fitcoach:live:{session.id}", f"fitcoach:live:{session.id}:rows"

    def load(self, session: LiveSession) -> tuple[dict, bytes, int] | None:
        key, rows_key = self.keys(session)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hmget(key, "state", "version")
            pipe.get(rows_key)
            (state, version), rows = pipe.execute()
        return (json.loads(state), rows or b"", int(version)) if state is not None else None

    def save(self, session: LiveSession, state: dict, rows: np.ndarray, saved_rows: int, version: int, ttl_s: int):
        """Write the new state if nobody else did since `version` was read; whether it was written."""
        import redis

        key, rows_key = self.keys(session)
        with self.client.pipeline() as pipe:
            try:
                pipe.watch(key)
                current = pipe.hget(key, "version")
                if (int(current) if current is not None else 0) != version:
                    return False
                pipe.multi()
                pipe.hset(key, mapping={"state": json.dumps(state), "version": version + 1})
                pipe.append(rows_key, rows[saved_rows:].tobytes())
                pipe.expire(key, ttl_s)
                pipe.expire(rows_key, ttl_s)
                pipe.execute()
            except redis.WatchError:
                return False
        return True

    def expires_at(self, session: LiveSession):
        ttl_ms = self.client.pttl(self.keys(session)[0])
        return utcnow() + timedelta(milliseconds=ttl_ms) if ttl_ms > 0 else as_utc(session.expires_at)

    def drop(self, session: LiveSession) -> None:
        self.client.delete(*self.keys(session))


def expiry(ttl_s: int):
    """When a session fed now expires."""
    return utcnow() + timedelta(seconds=ttl_s)


_stores: dict[str, object] = {}


def store_for(url: str):
    """The session store named by `LIVE_STORE_URL` (empty: the database), one per process."""
    if url not in _stores:
        _stores[url] = RedisStore(url) if url else DatabaseStore()
    return _stores[url]


@dataclass
class HeldState:
    """What a long-lived connection keeps between its batches: the state it last saved and its version. The next
    batch starts from it without reading the store; the compare-and-set on the version still catches any other
    writer, and then the state is read again."""

    state: dict | None = None
    assessor: SequenceAssessor | None = None
    version: int | None = None

    def take(self) -> tuple[dict, SequenceAssessor, int] | None:
        """The held state, emptied so that a batch failing half-way leaves nothing stale behind."""
        if self.version is None:
            return None
        held, self.version = (self.state, self.assessor, self.version), None
        return held

    def keep(self, state: dict, assessor: SequenceAssessor, version: int) -> None:
        self.state, self.assessor, self.version = state, assessor, version
