"""Progress charts decode as PNG, readable on a phone, with a 'No data yet' picture when there is nothing."""

import io
from datetime import timedelta

import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from api.charts.draw import bar_chart, heatmap, line_chart
from api.charts.progress import PROGRESS_CHARTS, render_progress_chart
from api.exceptions import InvalidInput
from api.planner.progress import compute_progress
from tests.unit.planner.plans import START

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def progress():
    workouts = [
        {
            "date": (START + timedelta(days=2 * i)).isoformat(),
            "exercises": [
                {"exercise": "squat", "sets": [{"reps": 8, "weight_kg": 80 + i, "rpe": 7}] * 3},
                {"exercise": "push_up", "sets": [{"reps": 12, "weight_kg": None, "rpe": 7}] * 2},
            ],
        }
        for i in range(30)
    ]
    metrics = [{"date": (START + timedelta(days=i)).isoformat(), "weight_kg": 85 - i * 0.05} for i in range(60)]
    analyses = [
        {"date": (START + timedelta(days=5 * i)).isoformat(), "exercise": "squat", "score": 60 + i} for i in range(12)
    ]
    planned = [START + timedelta(days=2 * i) for i in range(32)]
    end = START + timedelta(days=63)
    return compute_progress(workouts, metrics, analyses, planned, START, end, 85, end)


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.mark.parametrize("name", PROGRESS_CHARTS)
def test_every_progress_chart_is_a_phone_sized_png_with_something_drawn(name):
    image = decode(render_progress_chart(name, progress()))
    assert image.format == "PNG" and image.size == (960, 660)
    pixels = np.asarray(image.convert("L"))
    assert (pixels < 128).mean() > 0.01, "more than a blank canvas"


def written_words(name: str, progress: dict, monkeypatch) -> list[str]:
    """The texts on the chart's figure as it is saved (title, labels, ticks, notes), and the PNG decodes."""
    from matplotlib.figure import Figure

    seen: list[str] = []
    save = Figure.savefig

    def recording(figure, *args, **kwargs):
        seen.extend(text.get_text() for text in figure.findobj(Text) if text.get_visible() and text.get_text())
        return save(figure, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", recording)
    decode(render_progress_chart(name, progress))
    monkeypatch.undo()
    return seen


@pytest.mark.parametrize("name", PROGRESS_CHARTS)
def test_charts_without_data_say_so(name, monkeypatch):
    empty = compute_progress([], [], [], [], START, START + timedelta(days=7), 70, START)
    assert "No data yet" in written_words(name, empty, monkeypatch)
    assert "No data yet" not in written_words(name, progress(), monkeypatch)


def test_generic_charts_decode_and_a_heatmap_shows_a_confusion_matrix():
    line = line_chart("t", "x", "y", {"a": ([1, 2, 3], [3, 1, 2]), "b": ([1, 2, 3], [1, 2, 3])})
    bars = bar_chart("t", "x", "y", [f"w{i}" for i in range(20)], list(range(20)))
    matrix = heatmap("Confusion", ["squat", "plank"], ["squat", "plank"], [[9, 1], [2, 8]])
    for png in (line, bars, matrix):
        assert decode(png).size == (960, 660)


def test_unknown_chart_names_the_allowed_ones():
    with pytest.raises(InvalidInput) as raised:
        render_progress_chart("nope", progress())
    assert raised.value.code == "unknown_chart" and raised.value.details == {"charts": list(PROGRESS_CHARTS)}
