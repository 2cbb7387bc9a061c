"""PNG charts with matplotlib (Agg), sized and lettered to read on a phone: 6.4 x 4.4 in at 150 dpi, 13 pt text,
thick lines, a light grid, short dates, and a 'No data yet' picture instead of empty axes.
"""

from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

FIGURE_SIZE_IN = (6.4, 4.4)
DPI = 150
FONT_SIZE = 13
LINE_WIDTH = 2.8
MAX_MARKED_POINTS = 30
MAX_BAR_LABELS = 8
MAX_TICKS = 5
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")  # Okabe-Ito, colour-blind safe
LINE_STYLES = ("-", "--", "-.", ":")  # lines that coincide stay visible, and not by colour alone


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return buffer.getvalue()


def _figure(title: str, x_label: str, y_label: str):
    with plt.rc_context({"font.size": FONT_SIZE}):
        figure, axes = plt.subplots(figsize=FIGURE_SIZE_IN)
    axes.set_title(title, fontsize=FONT_SIZE + 3, fontweight="bold")
    axes.set_xlabel(x_label, fontsize=FONT_SIZE)
    axes.set_ylabel(y_label, fontsize=FONT_SIZE)
    axes.tick_params(labelsize=FONT_SIZE - 1)
    axes.grid(True, alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _short_number(value: float, _position=None) -> str:
    """12500 -> '12.5k', so that long axis numbers do not crowd a small screen."""
    if abs(value) >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _no_data(axes) -> None:
    axes.text(0.5, 0.5, "No data yet", ha="center", va="center", fontsize=FONT_SIZE + 5, color="grey",
              transform=axes.transAxes)  # fmt: skip
    axes.set_xticks([])
    axes.set_yticks([])


def line_chart(title: str, x_label: str, y_label: str, series: dict[str, tuple[list, list]]) -> bytes:
    """Lines, one per named series of (x, y) values; dates on x get short labels; 'No data yet' when empty."""
    figure, axes = _figure(title, x_label, y_label)
    drawn = [(name, xs, ys) for name, (xs, ys) in series.items() if len(xs)]
    for index, (name, xs, ys) in enumerate(drawn):
        marker = "o" if len(xs) <= MAX_MARKED_POINTS else None
        axes.plot(xs, ys, marker=marker, markersize=6, linewidth=LINE_WIDTH, label=name,
                  color=COLOURS[index % len(COLOURS)], linestyle=LINE_STYLES[index % len(LINE_STYLES)])  # fmt: skip
    if not drawn:
        _no_data(axes)
        return _png(figure)
    if isinstance(drawn[0][1][0], date):
        locator = mdates.AutoDateLocator(maxticks=MAX_TICKS)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=MAX_TICKS))
    axes.yaxis.set_major_formatter(FuncFormatter(_short_number))
    if len(drawn) > 1:
        axes.legend(fontsize=FONT_SIZE - 2, loc="best", framealpha=0.85)
    return _png(figure)


def bar_chart(title: str, x_label: str, y_label: str, labels: list[str], values: list[float]) -> bytes:
    """Bars with every label kept readable: only some are written when there are many."""
    figure, axes = _figure(title, x_label, y_label)
    if not labels:
        _no_data(axes)
        return _png(figure)
    positions = range(len(labels))
    axes.bar(positions, values, color=COLOURS[0])
    step = max(1, -(-len(labels) // MAX_BAR_LABELS))
    axes.set_xticks(list(positions)[::step], labels[::step])
    axes.yaxis.set_major_formatter(FuncFormatter(_short_number))
    axes.grid(False, axis="x")
    return _png(figure)


def heatmap(title: str, row_labels: list[str], column_labels: list[str], values) -> bytes:
    """A matrix with its numbers written in (confusion matrices: rows true, columns predicted)."""
    figure, axes = _figure(title, "predicted", "true")
    axes.grid(False)
    if not len(row_labels):
        _no_data(axes)
        return _png(figure)
    image = axes.imshow(values, cmap="Blues")
    axes.set_xticks(range(len(column_labels)), column_labels, rotation=45, ha="right")
    axes.set_yticks(range(len(row_labels)), row_labels)
    peak = max((max(row) for row in values), default=0)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            colour = "white" if peak and value > peak / 2 else "black"
            axes.text(j, i, f"{value:g}", ha="center", va="center", fontsize=FONT_SIZE - 2, color=colour)
    figure.colorbar(image, ax=axes)
    return _png(figure)
