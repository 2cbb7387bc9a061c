"""What a posture judgement reports per check: a fault found (`PostureIssue`) or a check not made (`SkippedCheck`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PostureIssue:
    """A fault: the rule's code, what to tell the person and how to fix it, and the value measured against the
    rule's threshold (both in `unit`)."""

    code: str
    message: str
    correction: str
    severity: str
    measured: float
    threshold: float
    unit: str

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PostureIssue:
        """An issue from its `to_dict()` (as a live session's stored state keeps it)."""
        return cls(**data)


@dataclass(frozen=True)
class SkippedCheck:
    """A check that could not be judged honestly, and why."""

    code: str
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)
