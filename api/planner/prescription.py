"""Training prescription by goal and level, and the guideline numbers the generator plans against.

Sources, cited once here and named in each `why`:
- ACSM 2009 Position Stand, "Progression models in resistance training for healthy adults" (Med Sci Sports Exerc
  41:687): strength novice 1-3 x 8-12 at 60-70% 1RM, advanced 1-6 RM with 3-5 min rest; hypertrophy 1-3 x 8-12
  (advanced 3-6 x 1-12), 1-2 min rest; endurance 2-4 x 10-25 with 30-60 s rest; power 1-3 x 3-6; frequency 2-3
  days for novices, 3-4 intermediate, 4-6 advanced; periodised variation of volume and intensity.
- ACSM 2011 Position Stand (Garber et al., Med Sci Sports Exerc 43:1334): 2-4 sets of 8-12 (10-15 for older or
  deconditioned people, starting at very light to light intensity) for general fitness and rehabilitation.
- ACSM 2009 Position Stand on weight loss (Donnelly et al., Med Sci Sports Exerc 41:459): more than 250 min a week
  of moderate activity for clinically significant weight loss.
- WHO 2020 guidelines on physical activity and sedentary behaviour: adults 150-300 min moderate or 75-150 min
  vigorous aerobic activity a week (vigorous minutes count double) and muscle strengthening on 2+ days; 65+ add
  varied multicomponent activity with balance on 3+ days; 5-17 year olds an average of 60 min a day.
- NSCA youth position statement (Faigenbaum et al. 2009, J Strength Cond Res 23:S60): technique first, 1-3 sets
  of 6-15 reps, no near-maximal loading while learning.
- ACSM/AHA older adults (Nelson et al. 2007, Med Sci Sports Exerc 39:1435): moderate (5-6) to vigorous (7-8)
  effort on a 0-10 scale.
- Schoenfeld, Ogborn & Krieger 2017 (J Sports Sci 35:1073): about 10+ weekly sets per muscle for hypertrophy;
  we keep hard sets within 4-20 per muscle group a week.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

LEVEL_DAYS = {"beginner": (2, 3), "intermediate": (3, 4), "advanced": (4, 6)}
WEEKLY_SETS_PER_MUSCLE = (4, 20)
WHO_MODERATE_MINUTES = (150, 300)
WHO_YOUTH_DAILY_MINUTES = 60
WHO_MIN_STRENGTH_DAYS = 2
MODERATE_MET = 3.0
VIGOROUS_MET = 6.0
WEIGHT_LOSS_AEROBIC_MINUTES = 250
OLDER_ADULT_AGE = 65
OLDER_ADULT_BALANCE_DAYS = 3
OLDER_ADULT_MAX_RPE = 7.0
OLDER_ADULT_GENTLE_WEEKS = 2
MINOR_AGE = 18
MINOR_MAX_RPE = 7.0
MINOR_REP_RANGE = (8, 12)
DELOAD_EVERY_WEEKS = {"beginner": 6, "intermediate": 5, "advanced": 4}
HOLD_SECONDS = {"beginner": (20, 30), "intermediate": (30, 45), "advanced": (45, 60)}
ACCESSORY_MAX_REST_S = 90
ISOLATION_REP_SHIFT = 2


@dataclass(frozen=True)
class Prescription:
    """Sets, reps (or seconds held), rest, effort and tempo for one goal and level, with the reason."""

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

    @property
    def seconds_per_rep(self) -> int:
        """Eccentric-pause-concentric seconds from the tempo; an explosive 'X' counts as one second."""
        if self.tempo == "hold":
            return 1
        return sum(1 if part == "X" else int(part) for part in self.tempo.split("-"))

    def why(self, goal: str, level: str, unit: str = "") -> str:
        low, high = self.rep_range
        return (
            f"{self.sets} x {low}-{high}{unit} at RPE {self.rpe:g}, {self.rest_s} s rest: "
            f"{goal}, {level} ({self.source})"
        )


ACSM = "ACSM 2009"
GARBER = "ACSM 2011"
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
    ("weight_loss", "beginner"): Prescription(2, (10, 15), 45, 6.5, "2-0-2", "50-65% 1RM", GARBER),
    ("weight_loss", "intermediate"): Prescription(3, (10, 15), 45, 7, "2-0-2", "55-70% 1RM", GARBER),
    ("weight_loss", "advanced"): Prescription(3, (8, 15), 60, 7.5, "2-0-1", "60-75% 1RM", GARBER),
    ("general_fitness", "beginner"): Prescription(2, (10, 15), 60, 6.5, "2-0-2", "50-65% 1RM", GARBER),
    ("general_fitness", "intermediate"): Prescription(3, (8, 12), 75, 7, "2-0-2", "60-75% 1RM", GARBER),
    ("general_fitness", "advanced"): Prescription(3, (6, 12), 90, 7.5, "2-0-1", "65-80% 1RM", GARBER),
    ("rehabilitation", "beginner"): Prescription(1, (12, 15), 60, 5, "3-1-3", "very light, pain-free", GARBER),
    ("rehabilitation", "intermediate"): Prescription(2, (10, 15), 60, 5.5, "3-1-3", "light, pain-free", GARBER),
    ("rehabilitation", "advanced"): Prescription(2, (10, 15), 60, 6, "3-1-2", "light to moderate, pain-free", GARBER),
}


def prescribe(goal: str, level: str, age: int | None) -> Prescription:
    """The prescription for a goal and level; under-18s get no near-maximal loads, 65+ a moderate ceiling."""
    base = _TABLE[(goal, level)]
    if age is not None and age < MINOR_AGE:
        low, high = base.rep_range
        base = replace(
            base,
            rep_range=(max(low, MINOR_REP_RANGE[0]), max(high, MINOR_REP_RANGE[1])),
            rpe=min(base.rpe, MINOR_MAX_RPE),
            intensity="moderate, technique first: no near-maximal loads under 18",
            source=f"{base.source}, NSCA youth 2009",
        )
    elif age is not None and age >= OLDER_ADULT_AGE:
        low, high = base.rep_range
        base = replace(
            base,
            rep_range=(max(low, 6), max(high, 10)),
            rpe=min(base.rpe, OLDER_ADULT_MAX_RPE),
            sets=min(base.sets, 3),
            source=f"{base.source}, ACSM/AHA older adults 2007",
        )
    return base


def for_isolation(prescription: Prescription) -> Prescription:
    """Small single-joint moves: a couple more reps and shorter rest (ACSM 2009: 1-2 min for assistance work)."""
    low, high = prescription.rep_range
    return replace(
        prescription,
        rep_range=(low + ISOLATION_REP_SHIFT, high + ISOLATION_REP_SHIFT),
        rest_s=min(prescription.rest_s, ACCESSORY_MAX_REST_S),
    )


def for_hold(prescription: Prescription, level: str) -> Prescription:
    """Timed holds (planks, carries, wall sits): seconds instead of reps, at most three sets."""
    return replace(
        prescription,
        sets=min(prescription.sets, 3),
        rep_range=HOLD_SECONDS[level],
        rest_s=min(prescription.rest_s, ACCESSORY_MAX_REST_S),
        tempo="hold",
    )


def strength_days_for(level: str, days_per_week: int) -> int:
    """How many of the week's days carry resistance training (the rest are cardio days)."""
    return min(days_per_week, LEVEL_DAYS[level][1])


def aerobic_target_minutes(goal: str, age: int | None) -> int:
    """Weekly moderate-equivalent aerobic minutes the plan aims for."""
    target = WHO_MODERATE_MINUTES[0]
    if goal == "weight_loss":
        target = WEIGHT_LOSS_AEROBIC_MINUTES
    elif goal == "endurance":
        target = WHO_MODERATE_MINUTES[1]
    if age is not None and age < MINOR_AGE:
        target = max(target, 7 * WHO_YOUTH_DAILY_MINUTES)
    return target


def warm_up_and_cool_down_minutes(session_minutes: int) -> tuple[int, int]:
    """About 15% of the session to warm up and 10% to cool down, within 3-10 and 2-8 minutes."""
    warm_up = min(10, max(3, round(session_minutes * 0.15)))
    cool_down = min(8, max(2, round(session_minutes * 0.10)))
    return warm_up, cool_down
