"""Training prescription by goal and level.

Sources, cited once here and named in each `why`:
- ACSM 2009 Position Stand, "Progression models in resistance training for healthy adults" (Med Sci Sports Exerc
  41:687): strength novice 1-3 x 8-12 at 60-70% 1RM, advanced 1-6 RM with 3-5 min rest; hypertrophy 1-3 x 8-12
  (advanced 3-6 x 1-12), 1-2 min rest; endurance 2-4 x 10-25 with 30-60 s rest; power 1-3 x 3-6; frequency 2-3
  days for novices, 3 intermediate, 4-6 advanced.
- WHO 2020 guidelines on physical activity and sedentary behaviour: 150-300 min moderate or 75-150 min vigorous
  aerobic activity a week, muscle strengthening on 2+ days; 65+ add balance and multicomponent work on 3+ days;
  children and adolescents: no near-maximal loading.
- Schoenfeld, Ogborn & Krieger 2017 (J Sports Sci 35:1073): about 10+ weekly sets per muscle for hypertrophy;
  we keep hard sets within 4-20 per muscle group a week.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

LEVEL_DAYS = {"beginner": (2, 3), "intermediate": (3, 4), "advanced": (4, 6)}
WEEKLY_SETS_PER_MUSCLE = (4, 20)
WHO_MODERATE_MINUTES = (150, 300)
WHO_MIN_STRENGTH_DAYS = 2
OLDER_ADULT_AGE = 65
OLDER_ADULT_BALANCE_DAYS = 3
MINOR_AGE = 18
MINOR_MAX_RPE = 7.0
WARM_UP_MINUTES = 8
COOL_DOWN_MINUTES = 5
SECONDS_PER_REP = 3.5


@dataclass(frozen=True)
class Prescription:
    """Sets, reps, rest, effort and tempo for one goal and level, with the reason."""

    sets: int
    rep_range: tuple[int, int]
    rest_s: int
    rpe: float
    tempo: str
    intensity: str
    source: str

    @property
    def reps_in_reserve(self) -> int:
        return max(0, round(10 - self.rpe))

    def why(self, goal: str, level: str) -> str:
        low, high = self.rep_range
        return f"{self.sets} x {low}-{high} at RPE {self.rpe:g}, {self.rest_s} s rest: {goal}, {level} ({self.source})"


ACSM = "ACSM 2009"
_TABLE: dict[tuple[str, str], Prescription] = {
    ("strength", "beginner"): Prescription(2, (8, 12), 120, 7, "2-0-2", "60-70% 1RM", ACSM),
    ("strength", "intermediate"): Prescription(3, (6, 8), 180, 8, "2-0-1", "70-85% 1RM", ACSM),
    ("strength", "advanced"): Prescription(4, (3, 6), 240, 8.5, "2-1-1", "80-90% 1RM (1-6 RM)", ACSM),
    ("hypertrophy", "beginner"): Prescription(2, (8, 12), 75, 7, "2-0-2", "60-70% 1RM", ACSM),
    ("hypertrophy", "intermediate"): Prescription(3, (8, 12), 90, 7.5, "3-0-1", "65-80% 1RM", ACSM),
    ("hypertrophy", "advanced"): Prescription(4, (6, 12), 120, 8, "3-0-1", "67-85% 1RM", ACSM),
    ("endurance", "beginner"): Prescription(2, (12, 15), 45, 6, "2-0-2", "< 60% 1RM", ACSM),
    ("endurance", "intermediate"): Prescription(3, (15, 20), 45, 7, "2-0-2", "< 60% 1RM", ACSM),
    ("endurance", "advanced"): Prescription(3, (15, 25), 30, 7.5, "1-0-1", "< 60% 1RM", ACSM),
    ("power", "beginner"): Prescription(1, (3, 6), 150, 6, "X-0-1", "30-60% 1RM, fast", ACSM),
    ("power", "intermediate"): Prescription(2, (3, 6), 180, 7, "X-0-1", "30-60% 1RM, fast", ACSM),
    ("power", "advanced"): Prescription(3, (3, 6), 180, 7.5, "X-0-1", "30-70% 1RM, fast", ACSM),
    ("weight_loss", "beginner"): Prescription(2, (10, 15), 45, 6.5, "2-0-2", "50-65% 1RM", ACSM),
    ("weight_loss", "intermediate"): Prescription(3, (10, 15), 45, 7, "2-0-2", "55-70% 1RM", ACSM),
    ("weight_loss", "advanced"): Prescription(3, (8, 15), 60, 7.5, "2-0-1", "60-75% 1RM", ACSM),
    ("general_fitness", "beginner"): Prescription(2, (10, 15), 60, 6.5, "2-0-2", "50-65% 1RM", ACSM),
    ("general_fitness", "intermediate"): Prescription(3, (8, 12), 75, 7, "2-0-2", "60-75% 1RM", ACSM),
    ("general_fitness", "advanced"): Prescription(3, (6, 12), 90, 7.5, "2-0-1", "65-80% 1RM", ACSM),
    ("rehabilitation", "beginner"): Prescription(1, (12, 15), 60, 5, "3-1-3", "light, pain-free", ACSM),
    ("rehabilitation", "intermediate"): Prescription(2, (10, 15), 60, 5.5, "3-1-3", "light, pain-free", ACSM),
    ("rehabilitation", "advanced"): Prescription(2, (10, 15), 60, 6, "3-1-2", "light to moderate, pain-free", ACSM),
}
ISOLATION_REP_SHIFT = 2


def prescribe(goal: str, level: str, age: int | None) -> Prescription:
    """The prescription for a goal and level, made gentler for under-18s (no near-maximal loads) and 65+."""
    base = _TABLE[(goal, level)]
    if age is not None and age < MINOR_AGE:
        low, high = base.rep_range
        base = replace(
            base,
            rep_range=(max(low, 8), max(high, 12)),
            rpe=min(base.rpe, MINOR_MAX_RPE),
            intensity="moderate, technique first (WHO 2020: no near-maximal loading under 18)",
        )
    elif age is not None and age >= OLDER_ADULT_AGE:
        base = replace(base, rpe=min(base.rpe, 6.5), sets=min(base.sets, 2), source=f"{base.source}, WHO 2020 65+")
    return base


def for_isolation(prescription: Prescription) -> Prescription:
    """Small single-joint moves: a couple more reps and shorter rest."""
    low, high = prescription.rep_range
    return replace(
        prescription,
        rep_range=(low + ISOLATION_REP_SHIFT, high + ISOLATION_REP_SHIFT),
        rest_s=min(prescription.rest_s, 90),
    )


def strength_days_for(level: str, days_per_week: int) -> int:
    """How many of the week's days carry resistance training (the rest are cardio or mobility)."""
    low, high = LEVEL_DAYS[level]
    if days_per_week < WHO_MIN_STRENGTH_DAYS:
        return days_per_week
    return max(min(days_per_week, high), min(WHO_MIN_STRENGTH_DAYS, days_per_week))
