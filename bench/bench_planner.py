"""Planner speed: prints `plan_generation_p50_ms` and `progress_two_years_ms` (two years of daily logs)."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.planner.generator import build_request, generate_plan  # noqa: E402
from api.planner.progress import compute_progress  # noqa: E402

START = date(2025, 1, 1)
PROFILE = {"age": 35, "weight_kg": 80, "fitness_level": "intermediate", "goal": "hypertrophy", "days_per_week": 4,
           "session_minutes": 60, "equipment": ["barbell", "bench", "dumbbell", "cable"]}  # fmt: skip


def main() -> None:
    timings = []
    for weeks in (4, 8, 12) * 10:
        started = time.perf_counter()
        generate_plan(build_request(PROFILE, {"weeks": weeks}, START))
        timings.append((time.perf_counter() - started) * 1000)
    print(f"plan_generation_p50_ms: {statistics.median(timings):.2f}")

    days = [START + timedelta(days=i) for i in range(730)]
    workouts = [
        {"date": d.isoformat(), "exercises": [{"exercise": name, "sets": [{"reps": 8, "weight_kg": 60 + i % 20}] * 4}
                                              for name in ("squat", "bench_press", "row", "deadlift")]}
        for i, d in enumerate(days)
    ]  # fmt: skip
    metrics = [{"date": d.isoformat(), "weight_kg": 80 - i / 365} for i, d in enumerate(days)]
    analyses = [{"date": d.isoformat(), "exercise": "squat", "score": 80} for d in days[::3]]
    started = time.perf_counter()
    compute_progress(workouts, metrics, analyses, days, START, days[-1], 80, days[-1])
    print(f"progress_two_years_ms: {(time.perf_counter() - started) * 1000:.1f}")


if __name__ == "__main__":
    main()
