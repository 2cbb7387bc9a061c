"""Services: one module (or package) per use case the resources call. They take plain values and rows, apply the
rules, read and write the database and storage, and call the pure work in `api.ml`, `api.planner` and
`api.charts`; they never import Flask's request globals nor the resources.

accounts, uploads, analyses, live_sessions, workouts (workouts and body metrics), plans (plans and progress),
model_training (datasets, training jobs, the worker's handler, the model registry).
"""
