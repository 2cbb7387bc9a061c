"""Form rules per exercise, by family; `RULES` maps every exercise with rules to its checks."""

from api.ml.posture.rules.base import PERSISTENCE_FRACTION, SEVERITY_PENALTY, Rule
from api.ml.posture.rules.floor import FLOOR_RULES
from api.ml.posture.rules.lower_body import LOWER_BODY_RULES
from api.ml.posture.rules.upper_body import UPPER_BODY_RULES

RULES: dict[str, tuple[Rule, ...]] = {**FLOOR_RULES, **LOWER_BODY_RULES, **UPPER_BODY_RULES}

__all__ = ["PERSISTENCE_FRACTION", "RULES", "SEVERITY_PENALTY", "Rule"]
