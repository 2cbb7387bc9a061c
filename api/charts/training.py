"""Training charts, epoch by epoch, drawn with the shared phone-sized chart style of `api/charts/draw.py`."""

from __future__ import annotations

from api.charts.draw import heatmap, line_chart

CHARTS = {
    "detect": ("loss", "precision_recall", "map", "confusion_matrix"),
    "classify": ("loss", "accuracy", "confusion_matrix"),
}
LINES = {
    "precision_recall": ("Precision and recall", "value (0-1)", {"precision": "precision", "recall": "recall"}),
    "map": ("Mean average precision", "mAP (0-1)", {"mAP50": "map50", "mAP50-95": "map50_95"}),
    "accuracy": ("Validation accuracy", "accuracy (0-1)", {"top-1": "top1", "top-5": "top5"}),
}
BACKGROUND = "background"


def chart_names(task: str) -> tuple[str, ...]:
    return CHARTS[task]


def _points(epochs: list[int], values: list[float | None]) -> tuple[list[int], list[float]]:
    pairs = [(epoch, value) for epoch, value in zip(epochs, values, strict=True) if value is not None]
    return [epoch for epoch, _ in pairs], [value for _, value in pairs]


def _total(series: dict[str, list[float | None]], prefix: str, count: int) -> list[float | None]:
    """The sum of a split's loss components (box + cls + dfl for detection; one loss for classification)."""
    parts = [values for name, values in series.items() if name.startswith(prefix) and name.endswith("loss")]
    totals = []
    for i in range(count):
        values = [part[i] for part in parts]
        totals.append(round(sum(values), 6) if parts and None not in values else None)
    return totals


def training_chart(
    name: str,
    task: str,
    epochs: list[int],
    series: dict[str, list[float | None]],
    class_names: list[str],
    confusion: list[list[int]] | None,
) -> bytes:
    """The PNG of one chart of `chart_names(task)`; x is the epoch, or a matrix for the confusion matrix."""
    if name not in CHARTS[task]:
        raise ValueError(f"no chart {name!r} for {task}")
    if name == "confusion_matrix":
        labels = list(class_names) + ([BACKGROUND] if confusion and len(confusion) == len(class_names) + 1 else [])
        return heatmap("Confusion matrix (validation)", labels if confusion else [], labels, confusion or [])
    if name == "loss":
        lines = {
            "train": _points(epochs, _total(series, "train_", len(epochs))),
            "validation": _points(epochs, _total(series, "val_", len(epochs))),
        }
        title = "Loss (box + cls + dfl)" if task == "detect" else "Loss"
        return line_chart(title, "epoch", "loss", lines)
    title, y_label, keys = LINES[name]
    lines = {label: _points(epochs, series.get(key, [None] * len(epochs))) for label, key in keys.items()}
    return line_chart(title, "epoch", y_label, lines)
