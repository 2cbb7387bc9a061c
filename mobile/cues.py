"""When to speak a live session's cue: a pure policy, with no Kivy import."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CueCooldown:
    """When to say a cue aloud: never within `gap_s` of the last one said, the same fault again only after
    `repeat_s` (a fault that stays is not repeated every second)."""

    repeat_s: float = 15.0
    gap_s: float = 4.0
    _said_at: dict[str, float] = field(default_factory=dict)
    _last_s: float | None = None

    def should_say(self, code: str, now_s: float) -> bool:
        """Whether to say the cue for `code` at `now_s` (monotonic seconds); a yes counts as said."""
        if self._last_s is not None and now_s - self._last_s < self.gap_s:
            return False
        said = self._said_at.get(code)
        if said is not None and now_s - said < self.repeat_s:
            return False
        self._said_at[code] = self._last_s = now_s
        return True
