"""Dataset archives: check a zip before anything is unpacked, unpack it safely, validate every image and label,
make a seeded, stratified, grouped validation split when there is none, and report what is inside.

Two layouts are accepted (optionally wrapped in one top folder):
- YOLO detection: `data.yaml` with the class `names`, `images/` and `labels/` mirroring each other, either flat
  or with `train/` and `val/` sub-folders. An empty label file marks a background image; a missing one is a problem.
- Classification: one folder per class, optionally under `train/` and `val/`.

The result is written into a new folder in the form Ultralytics reads: detection `images/{train,val}/...` and
`labels/{train,val}/...` (plus `data.yaml` written at training time); classification `{train,val}/<class>/...`.
Any problem refuses the whole archive with `InvalidDataset`, listing the first problems of each kind, and leaves
nothing on disk.

This module holds the archive itself (checked from its directory, then unpacked) and `import_dataset`; the
layouts are read in `detection` and `classification`, the split made in `split`, the result told in `report`,
the limits and problems kept in `problems`, and the per-file checks shared by both layouts in `files`.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from api.ml.datasets.classification import import_classification
from api.ml.datasets.detection import import_detection
from api.ml.datasets.problems import DatasetLimits, Problems
from api.ml.datasets.report import DatasetReport

DATA_YAML_NAMES = ("data.yaml", "data.yml", "dataset.yaml")
IGNORED_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})
RATIO_CHECK_MIN_BYTES = 1 << 20  # small entries may compress well without being a bomb
COPY_CHUNK_BYTES = 1 << 20


def import_dataset(archive: Path, dest: Path, limits: DatasetLimits) -> DatasetReport:
    """Check `archive`, unpack it into the new folder `dest` in normal form and return its report.

    Raises `InvalidDataset` (listing the problems) and leaves no `dest` behind when anything is wrong.
    """
    dest.mkdir(parents=True)
    try:
        raw = dest / ".unpacked"
        try:
            with zipfile.ZipFile(archive) as archive_file:
                entries = check_archive(archive_file, limits)
                unpack(archive_file, entries, raw, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
            problems = Problems(limits.max_listed_problems)
            problems.add("corrupt_archive", f"the zip cannot be read: {exc}")
            problems.raise_if_any("the archive is not a readable zip")
        yaml_path = next((raw / name for name in DATA_YAML_NAMES if (raw / name).is_file()), None)
        if yaml_path is not None:
            report = import_detection(raw, dest, yaml_path, limits)
        else:
            report = import_classification(raw, dest, limits)
        shutil.rmtree(raw)
        return report
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def _archive_path(name: str) -> PurePosixPath:
    return PurePosixPath(name.replace("\\", "/"))


def _escapes(name: str) -> bool:
    path = _archive_path(name)
    return path.is_absolute() or bool(re.match(r"^[A-Za-z]:", str(path))) or ".." in path.parts


def _ignored(path: PurePosixPath) -> bool:
    return any(part in IGNORED_NAMES or part.startswith(".") for part in path.parts)


def check_archive(archive: zipfile.ZipFile, limits: DatasetLimits) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Refuse unsafe archives from their directory alone; return the files to unpack and where, relative."""
    problems = Problems(limits.max_listed_problems)
    infos = archive.infolist()
    files = [info for info in infos if not info.is_dir()]
    if len(files) > limits.max_files:
        problems.add("too_many_files", f"{len(files)} files; the limit is {limits.max_files}")
    total_bytes = 0
    for info in infos:
        if _escapes(info.filename):
            problems.add("path_escapes", f"{info.filename!r} points outside the archive's folder")
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.add("link", f"{info.filename!r} is a symbolic link")
        if info.flag_bits & 0x1:
            problems.add("encrypted", f"{info.filename!r} is encrypted")
        if info.is_dir():
            continue
        total_bytes += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_CHECK_MIN_BYTES and ratio > limits.max_compression_ratio:
            problems.add(
                "compression_ratio",
                f"{info.filename!r} expands {ratio:,.0f} times; the limit is {limits.max_compression_ratio:g}",
            )
    if total_bytes > limits.max_unpacked_bytes:
        problems.add(
            "too_large",
            f"{total_bytes / 2**20:,.1f} MiB unpacked; the limit is {limits.max_unpacked_bytes / 2**20:,.0f} MiB",
        )
    problems.raise_if_any("the archive is refused before unpacking")
    kept = [(info, _archive_path(info.filename)) for info in files if not _ignored(_archive_path(info.filename))]
    return _strip_wrapper_folder(kept)


def _strip_wrapper_folder(entries: list[tuple[zipfile.ZipInfo, PurePosixPath]]):
    """Drop one top folder that wraps everything (an archive made by zipping a folder), unless it holds files only
    (then it is a class folder)."""
    tops = {path.parts[0] for _, path in entries}
    if len(tops) == 1 and all(len(path.parts) > 1 for _, path in entries):
        stripped = [(info, PurePosixPath(*path.parts[1:])) for info, path in entries]
        if any(len(path.parts) > 1 for _, path in stripped):
            return stripped
    return entries


def unpack(
    archive: zipfile.ZipFile, entries: list[tuple[zipfile.ZipInfo, PurePosixPath]], raw: Path, limits: DatasetLimits
) -> None:
    """Write each entry under `raw`, never outside it, counting the bytes really written."""
    problems = Problems(limits.max_listed_problems)
    raw.mkdir()
    root = raw.resolve()
    written = 0
    for info, relative in entries:
        target = raw / relative
        if root not in target.resolve().parents:
            problems.add("path_escapes", f"{info.filename!r} points outside the archive's folder")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as source, open(target, "wb") as out:
                while chunk := source.read(COPY_CHUNK_BYTES):
                    written += len(chunk)
                    if written > limits.max_unpacked_bytes:
                        problems.add("too_large", "the archive unpacks to more than it declares")
                        problems.raise_if_any("the archive is refused while unpacking")
                    out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            problems.add("corrupt_archive", f"{info.filename!r}: {exc}")
    problems.raise_if_any("the archive is damaged")
