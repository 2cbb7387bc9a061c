"""Images checked before use: the pixel limit read from the header before decoding, then a full decode."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from api.exceptions import InvalidMedia, PayloadTooLarge


def check_image(path: Path, max_pixels: int) -> tuple[int, int]:
    """Refuse images over the pixel limit (read from the header, before decoding) or that do not decode."""
    try:
        with Image.open(path) as header:
            width, height = header.size
        if width * height > max_pixels:
            raise PayloadTooLarge(
                f"image of {width}x{height} pixels is over the limit of {max_pixels:,} pixels",
                details={"width": width, "height": height, "max_pixels": max_pixels},
            )
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
    except PayloadTooLarge:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own limit, met on open before our header check
        raise PayloadTooLarge(
            f"the image is over the limit of {max_pixels:,} pixels", details={"max_pixels": max_pixels}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
        raise InvalidMedia(f"the image does not decode: {exc.__class__.__name__}") from exc
    return width, height
