"""Shared widgets: a busy indicator, charts drawn with Kivy canvas instructions, and the live camera preview."""

from __future__ import annotations

import math

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Ellipse, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.metrics import dp, sp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.widget import Widget

ACCENT = (0.16, 0.55, 0.86, 1)
GOOD = (0.2, 0.65, 0.35, 1)
WARN = (0.9, 0.55, 0.1, 1)
BAD = (0.85, 0.25, 0.25, 1)
TEXT = (0.12, 0.12, 0.14, 1)
MUTED = (0.42, 0.42, 0.46, 1)
GRID = (0.85, 0.86, 0.88, 1)
PREVIEW_BACKGROUND = (0.17, 0.19, 0.22, 1)
SKELETON = (0.2, 0.9, 0.45, 1)
# COCO-17 drawn as polylines: both arms through the shoulders, the trunk, each leg, the face.
SKELETON_CHAINS = ((9, 7, 5, 6, 8, 10), (5, 11, 12, 6), (11, 13, 15), (12, 14, 16), (3, 1, 0, 2, 4))
KEYPOINT_MIN_CONF = 0.3
KEYPOINT_COUNT = 17


def _text_texture(text: str, size: float, color=TEXT, bold: bool = False):
    label = CoreLabel(text=text, font_size=size, color=color, bold=bold)
    label.refresh()
    return label.texture


def short_number(value: float) -> str:
    if value is None:
        return "-"
    if abs(value) >= 10000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}"


class BusyIndicator(Widget):
    """A turning arc while `active`; invisible otherwise."""

    active = BooleanProperty(False)
    angle = NumericProperty(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._event = None
        self.bind(pos=self._draw, size=self._draw, angle=self._draw, active=self._on_active)

    def _on_active(self, *_):
        if self.active and self._event is None:
            self._event = Clock.schedule_interval(self._spin, 1 / 30)
        elif not self.active and self._event is not None:
            self._event.cancel()
            self._event = None
        self._draw()

    def _spin(self, dt):
        self.angle = (self.angle + 360 * dt) % 360

    def _draw(self, *_):
        self.canvas.clear()
        if not self.active:
            return
        radius = min(self.width, self.height) / 2 - dp(3)
        cx, cy = self.center
        with self.canvas:
            Color(1, 1, 1, 0.35)
            Line(circle=(cx, cy, radius), width=dp(2))
            Color(1, 1, 1, 1)
            Line(circle=(cx, cy, radius, self.angle, self.angle + 100), width=dp(2.2))


class Chart(Widget):
    """Base of the charts: a title, a y range with grid lines and labels, and x labels under the plot."""

    title = StringProperty("")
    unit = StringProperty("")
    labels = ListProperty([])  # x labels, one per value
    values = ListProperty([])  # numbers or None
    color = ListProperty(list(ACCENT))
    empty_text = StringProperty("No data yet")
    y_min = NumericProperty(None, allownone=True)
    y_max = NumericProperty(None, allownone=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._trigger = Clock.create_trigger(self.redraw, -1)
        self.bind(pos=self._trigger, size=self._trigger, values=self._trigger, labels=self._trigger,
                  title=self._trigger, color=self._trigger)  # fmt: skip

    def _range(self, numbers):
        low = min(numbers) if self.y_min is None else self.y_min
        high = max(numbers) if self.y_max is None else self.y_max
        if high == low:
            high, low = high + 1, low - 1 if low > 0 else low
        pad = (high - low) * 0.08
        low = low - pad if self.y_min is None else low
        high = high + pad if self.y_max is None else high
        return low, high

    def redraw(self, *_):
        self.canvas.clear()
        title_size, small = sp(14), sp(11)
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(pos=self.pos, size=self.size)
            title = _text_texture(self.title + (f" ({self.unit})" if self.unit else ""), title_size, bold=True)
            Color(1, 1, 1, 1)
            Rectangle(texture=title, pos=(self.x + dp(8), self.top - dp(6) - title.height), size=title.size)
        numbers = [v for v in self.values if v is not None]
        left, bottom = self.x + dp(42), self.y + dp(24)
        right, top = self.right - dp(10), self.top - dp(12) - title.height
        if not numbers or right - left < dp(40) or top - bottom < dp(30):
            with self.canvas:
                tex = _text_texture(self.empty_text, small, MUTED)
                Color(1, 1, 1, 1)
                Rectangle(texture=tex, pos=(self.center_x - tex.width / 2, self.center_y - tex.height), size=tex.size)
            return
        low, high = self._range(numbers)
        plot = (left, bottom, right - left, top - bottom)

        def y_of(value):
            return bottom + (value - low) / (high - low) * (top - bottom)

        with self.canvas:
            for i in range(4):
                value = low + (high - low) * i / 3
                y = y_of(value)
                Color(*GRID)
                Line(points=[left, y, right, y], width=1)
                tex = _text_texture(short_number(value), small, MUTED)
                Color(1, 1, 1, 1)
                Rectangle(texture=tex, pos=(left - tex.width - dp(4), y - tex.height / 2), size=tex.size)
        self.draw_data(plot, y_of, low)
        self._draw_x_labels(plot)

    def x_of(self, index: int, plot) -> float:
        left, _, width, _ = plot
        count = len(self.values)
        return left + width * (index + 0.5) / count

    def _draw_x_labels(self, plot):
        if not self.labels:
            return
        count = len(self.labels)
        widths = [_text_texture(str(label), sp(10), MUTED).width for label in self.labels]
        step = max(1, math.ceil((max(widths) + dp(6)) * count / max(plot[2], 1)))
        with self.canvas:
            for index in range(0, count, step):
                tex = _text_texture(str(self.labels[index]), sp(10), MUTED)
                x = self.x_of(index, plot)
                Color(1, 1, 1, 1)
                Rectangle(texture=tex, pos=(x - tex.width / 2, self.y + dp(4)), size=tex.size)

    def draw_data(self, plot, y_of, low):
        raise NotImplementedError


class BarChart(Chart):
    def draw_data(self, plot, y_of, low):
        left, bottom, width, _ = plot
        slot = width / max(len(self.values), 1)
        bar = max(dp(2), min(slot * 0.7, dp(36)))
        base = y_of(max(low, 0)) if low < 0 else bottom
        with self.canvas:
            Color(*self.color)
            for index, value in enumerate(self.values):
                if value is None:
                    continue
                x = self.x_of(index, plot) - bar / 2
                Rectangle(pos=(x, base), size=(bar, max(y_of(value) - base, dp(1))))


class LineChart(Chart):
    def draw_data(self, plot, y_of, low):
        points = [(self.x_of(i, plot), y_of(v)) for i, v in enumerate(self.values) if v is not None]
        with self.canvas:
            Color(*self.color)
            if len(points) > 1:
                Line(points=[c for point in points for c in point], width=dp(1.5))
            radius = dp(3)
            for x, y in points:
                Ellipse(pos=(x - radius, y - radius), size=(radius * 2, radius * 2))


class AdherenceBar(Widget):
    """Done out of planned sessions as a filled bar."""

    done = NumericProperty(0)
    planned = NumericProperty(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, done=self._draw, planned=self._draw)

    @property
    def ratio(self) -> float:
        return min(1.0, self.done / self.planned) if self.planned else 0.0

    def _draw(self, *_):
        self.canvas.clear()
        with self.canvas:
            Color(*GRID)
            Rectangle(pos=self.pos, size=self.size)
            Color(*(GOOD if self.ratio >= 0.99 else ACCENT))
            Rectangle(pos=self.pos, size=(self.width * self.ratio, self.height))


class LivePreview(Widget):
    """Camera frames shown to fit the widget, with the main person's COCO-17 skeleton drawn over them.

    `keypoints` are `(17, 3)` x, y, confidence in the pixels of an image of `keypoints_size` (the frame sent,
    smaller than the one shown); joints under `KEYPOINT_MIN_CONF` are not drawn."""

    texture = ObjectProperty(None, allownone=True)
    keypoints = ListProperty([])
    keypoints_size = ListProperty([0, 0])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._trigger = Clock.create_trigger(self._draw, -1)
        self.bind(pos=self._trigger, size=self._trigger, texture=self._trigger, keypoints=self._trigger)

    def show_frame(self, pixels: bytes, width: int, height: int) -> None:
        """Show one BGR frame (rows top to bottom)."""
        if self.texture is None or tuple(self.texture.size) != (width, height):
            texture = Texture.create(size=(width, height), colorfmt="rgb")
            texture.flip_vertical()
            self.texture = texture
        self.texture.blit_buffer(pixels, colorfmt="bgr", bufferfmt="ubyte")
        self.canvas.ask_update()

    def image_rect(self) -> tuple[float, float, float, float]:
        """Where the frame is drawn: x, y, width, height, fitted and centred."""
        if self.texture is None:
            return self.x, self.y, 0.0, 0.0
        width, height = self.texture.size
        scale = min(self.width / width, self.height / height)
        return self.center_x - width * scale / 2, self.center_y - height * scale / 2, width * scale, height * scale

    def _draw(self, *_):
        self.canvas.clear()
        x, y, width, height = self.image_rect()
        with self.canvas:
            Color(*PREVIEW_BACKGROUND)
            Rectangle(pos=self.pos, size=self.size)
            if self.texture is None:
                return
            Color(1, 1, 1, 1)
            Rectangle(texture=self.texture, pos=(x, y), size=(width, height))
            size_w, size_h = self.keypoints_size
            if len(self.keypoints) != KEYPOINT_COUNT or not size_w or not size_h:
                return
            scale_x, scale_y = width / size_w, height / size_h
            points = [(x + kx * scale_x, y + height - ky * scale_y) if conf >= KEYPOINT_MIN_CONF else None
                      for kx, ky, conf in self.keypoints]  # fmt: skip
            Color(*SKELETON)
            for chain in SKELETON_CHAINS:
                for run in visible_runs([points[index] for index in chain]):
                    Line(points=[c for point in run for c in point], width=dp(2))
            radius = dp(3.5)
            for point in filter(None, points):
                Ellipse(pos=(point[0] - radius, point[1] - radius), size=(radius * 2, radius * 2))


def visible_runs(points: list) -> list[list]:
    """The stretches of two or more consecutive points that are not None (one polyline each)."""
    runs, run = [], []
    for point in [*points, None]:
        if point is None:
            if len(run) >= 2:
                runs.append(run)
            run = []
        else:
            run.append(point)
    return runs
