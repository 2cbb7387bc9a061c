"""PNG charts with matplotlib (Agg), sized and lettered to read on a phone."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FIGURE_SIZE_IN = (6.4, 4.4)
DPI = 150
FONT_SIZE = 13


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return buffer.getvalue()


def _figure(title: str, x_label: str, y_label: str):
    plt.rcParams.update({"font.size": FONT_SIZE})
    figure, axes = plt.subplots(figsize=FIGURE_SIZE_IN)
    axes.set_title(title, fontsize=FONT_SIZE + 3, fontweight="bold")
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.grid(True, alpha=0.3)
    return figure, axes


def _no_data(axes) -> None:
    axes.text(0.5, 0.5, "No data yet", ha="center", va="center", fontsize=FONT_SIZE + 4, color="grey",
              transform=axes.transAxes)  # fmt: skip
    axes.set_xticks([])
    axes.set_yticks([])


def line_chart(title: str, x_label: str, y_label: str, series: dict[str, tuple[list, list]]) -> bytes:
    """Lines, one per named series of (x, y) values; a 'No data yet' chart when every series is empty."""
    figure, axes = _figure(title, x_label, y_label)
    drawn = False
    for name, (xs, ys) in series.items():
        if xs:
            axes.plot(xs, ys, marker="o", linewidth=2.5, markersize=5, label=name)
            drawn = True
    if not drawn:
        _no_data(axes)
    elif len(series) > 1:
        axes.legend(fontsize=FONT_SIZE - 2, loc="best")
    figure.autofmt_xdate()
    return _png(figure)


def bar_chart(title: str, x_label: str, y_label: str, labels: list[str], values: list[float]) -> bytes:
    figure, axes = _figure(title, x_label, y_label)
    if labels:
        axes.bar(labels, values, color="#2a7ab9")
        figure.autofmt_xdate()
    else:
        _no_data(axes)
    return _png(figure)


def heatmap(title: str, row_labels: list[str], column_labels: list[str], values) -> bytes:
    """A matrix with its numbers written in (confusion matrices)."""
    figure, axes = _figure(title, "predicted", "true")
    axes.grid(False)
    if len(row_labels):
        image = axes.imshow(values, cmap="Blues")
        axes.set_xticks(range(len(column_labels)), column_labels, rotation=45, ha="right")
        axes.set_yticks(range(len(row_labels)), row_labels)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                axes.text(j, i, f"{value:g}", ha="center", va="center", fontsize=FONT_SIZE - 2)
        figure.colorbar(image, ax=axes)
    else:
        _no_data(axes)
    return _png(figure)
