"""Live coaching sessions: who owns them and where they stand; the running state lives in the session store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.extensions import db
from api.models.base import Timestamped


class LiveSession(Timestamped, db.Model):
    """One set coached live. `state` and `version`, with the frames' rows in `LiveSessionRows`, hold the running
    assessment when the database is the session store (with Redis they stay empty); `version` makes every update
    a compare-and-set."""

    __tablename__ = "live_sessions"
    noun = "live session"  # how a 404 names it

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    exercise: Mapped[str] = mapped_column(String(40))
    keypoint_format: Mapped[str] = mapped_column(String(16))
    target_reps: Mapped[int | None] = mapped_column(Integer)
    target_seconds: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict | None] = mapped_column(JSON)


class LiveSessionRows(db.Model):
    """The measured rows of one batch of a live session's frames, appended as batches come (never rewritten)."""

    __tablename__ = "live_session_rows"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    first_frame: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
