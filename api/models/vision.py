"""Analyses of photos, clips and keypoint sequences."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.extensions import db
from api.models.base import Timestamped
from api.vocabulary import SUCCEEDED


class Analysis(Timestamped, db.Model):
    """One analysis; `result` holds the full answer, the columns what lists filter and progress reads."""

    __tablename__ = "analyses"
    noun = "analysis"  # how a 404 names it

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"), index=True)
    media_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default=SUCCEEDED)
    exercise_label: Mapped[str | None] = mapped_column(String(40), index=True)
    exercise_confidence: Mapped[float | None] = mapped_column(Float)
    form_score: Mapped[float | None] = mapped_column(Float)
    form_ok: Mapped[bool | None] = mapped_column(Boolean)
    rep_count: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(64))
