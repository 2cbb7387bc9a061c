"""Planner speed: prints `plan_generation_p50_ms`, `plan_generation_52_weeks_ms` and `progress_two_years_ms`
(two years of daily logs); medians, so that one slow run on a busy machine does not decide the figure."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.planner.generator import generate_plan  # noqa: E402
from api.planner.progress import compute_progress  # noqa: E402
from api.planner.request import build_request  # noqa: E402

START = date(2025, 1, 1)
PROFILE = {"age": 35, "weight_kg": 80, "fitness_level": "intermediate", "goal": "hypertrophy", "days_per_week": 4,
           "session_minutes": 60, "equipment": ["barbell", "bench", "dumbbell", "cable"]}  # fmt: skip


def _median_ms(run, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    timings = []
    for weeks in (4, 8, 12) * 10:
        timings.append(_median_ms(lambda w=weeks: generate_plan(build_request(PROFILE, {"weeks": w}, START)), 1))
    print(f"plan_generation_p50_ms: {statistics.median(timings):.2f}")
    year = _median_ms(lambda: generate_plan(build_request({**PROFILE, "days_per_week": 6}, {"weeks": 52}, START)), 5)
    print(f"plan_generation_52_weeks_ms: {year:.1f}")

    days = [START + timedelta(days=i) for i in range(730)]
    workouts = [
        {"date": d.isoformat(), "exercises": [{"exercise": name, "sets": [{"reps": 8, "weight_kg": 60 + i % 20}] * 4}
                                              for name in ("squat", "bench_press", "row", "deadlift", "push_up")]}
        for i, d in enumerate(days)
    ]  # fmt: skip
    metrics = [{"date": d.isoformat(), "weight_kg": 80 - i / 365} for i, d in enumerate(days)]
    analyses = [{"date": d.isoformat(), "exercise": "squat", "score": 80} for d in days[::3]]
    progress = _median_ms(lambda: compute_progress(workouts, metrics, analyses, days, START, days[-1], 80, days[-1]), 5)
    print(f"progress_two_years_ms: {progress:.1f}")


if __name__ == "__main__":
    main()
