"""Plans and progress: the exercise catalogue, ACSM/WHO prescription, plan generation, adaptation and progress.

Pure, deterministic functions with no Flask or database imports: same inputs, same plan.
"""
