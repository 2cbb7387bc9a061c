"""Files of an unpacked archive: listed, images decoded within the pixel limit, class names checked, the split a
path names (`train/`, `val/`, ignored `test/`), and moved into the normal form."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from api.exceptions import InvalidMedia, PayloadTooLarge
from api.ml.datasets.problems import DatasetLimits, Problems
from api.ml.images import check_image

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
TRAIN_SPLIT = "train"
VAL_SPLIT_NAMES = ("val", "valid", "validation")
IGNORED_SPLIT_NAMES = ("test",)
MAX_CLASS_NAME_LENGTH = 100


def list_files(root: Path) -> list[PurePosixPath]:
    """Every file under `root`, as sorted relative paths."""
    return sorted(PurePosixPath(path.relative_to(root).as_posix()) for path in root.rglob("*") if path.is_file())


def is_image(path: PurePosixPath) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def check_image_file(raw: Path, relative: PurePosixPath, limits: DatasetLimits, problems: Problems) -> bool:
    """Whether the archive's image decodes within the pixel limit; when not, the problem is added."""
    try:
        check_image(raw / relative, limits.max_image_pixels)
    except PayloadTooLarge as exc:
        problems.add("image_too_large", f"{relative}: {exc.message}")
        return False
    except (InvalidMedia, ImportError):  # Ultralytics patches PIL to try pi-heif on unknown files: absent here
        problems.add("undecodable_image", f"{relative}: not a decodable image")
        return False
    return True


def check_class_name(name: str, problems: Problems) -> None:
    if not name.strip() or len(name) > MAX_CLASS_NAME_LENGTH or any(ord(ch) < 32 for ch in name):
        problems.add("bad_class_name", f"{name[:40]!r}: 1-{MAX_CLASS_NAME_LENGTH} printable characters")


def split_of(relative: PurePosixPath) -> tuple[str | None, PurePosixPath]:
    """The split a path under images/ or the archive root names ('train', 'val', None, or 'ignored') and the rest."""
    first = relative.parts[0].lower() if len(relative.parts) > 1 else ""
    rest = PurePosixPath(*relative.parts[1:]) if len(relative.parts) > 1 else relative
    if first == TRAIN_SPLIT:
        return "train", rest
    if first in VAL_SPLIT_NAMES:
        return "val", rest
    if first in IGNORED_SPLIT_NAMES:
        return "ignored", rest
    return None, relative


def move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source.replace(target)
