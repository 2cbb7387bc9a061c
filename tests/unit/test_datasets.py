"""Dataset archives: both layouts accepted with a report, every malformed kind refused with nothing left behind,
and the validation split seeded, stratified and grouped."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from api.exceptions import InvalidDataset
from api.ml.datasets import import_dataset
from api.ml.datasets.problems import DatasetLimits
from api.ml.datasets.split import SplitItem, choose_validation, group_of
from tests.shapes import SHAPES, classification_files, detection_files, jpeg, shape_image, zip_bytes

LIMITS = DatasetLimits(max_listed_problems=3)


def run_import(tmp_path: Path, archive_bytes: bytes, limits: DatasetLimits = LIMITS):
    archive = tmp_path / "upload.zip"
    archive.write_bytes(archive_bytes)
    return import_dataset(archive, tmp_path / "dataset", limits), tmp_path / "dataset"


def refused(tmp_path: Path, archive_bytes: bytes, limits: DatasetLimits = LIMITS) -> dict:
    """The details of the refusal; also checks that nothing is left where the dataset would have gone."""
    with pytest.raises(InvalidDataset) as caught:
        run_import(tmp_path, archive_bytes, limits)
    assert not (tmp_path / "dataset").exists()
    return caught.value.details


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_a_classification_zip_without_val_gets_a_stratified_split_and_a_report(tmp_path):
    report, folder = run_import(tmp_path, zip_bytes(classification_files(per_class=10)))
    assert report.task == "classify" and report.layout == "class-folders"
    assert report.class_names == list(SHAPES)
    summary = report.to_dict()
    assert summary["split"]["made"] and summary["image_count"] == 30
    for shape in SHAPES:
        assert summary["splits"]["val"]["instances"][shape] == 2
        assert summary["splits"]["train"]["instances"][shape] == 8
        assert len(list((folder / "val" / shape).iterdir())) == 2
    assert not (folder / ".unpacked").exists()


def test_a_classification_zip_with_train_and_val_keeps_its_split(tmp_path):
    report, folder = run_import(tmp_path, zip_bytes(classification_files(per_class=6, split=True)))
    assert report.layout == "split-folders" and not report.split_made
    assert {split: s.images for split, s in report.splits.items()} == {"train": 12, "val": 6}
    assert (folder / "val" / "circle" / "circle_5.jpg").is_file()


def test_a_zipped_folder_is_unwrapped(tmp_path):
    files = {f"my-shapes/{path}": data for path, data in classification_files(per_class=4).items()}
    files["__MACOSX/my-shapes/._circle_0.jpg"] = b"resource fork"
    report, _ = run_import(tmp_path, zip_bytes(files))
    assert report.class_names == list(SHAPES) and report.image_count == 12


def test_pairs_sharing_a_name_stay_on_one_side_of_the_split(tmp_path):
    report, folder = run_import(tmp_path, zip_bytes(classification_files(per_class=10, pairs=True)))
    sides = {}
    for split in ("train", "val"):
        for path in (folder / split).rglob("*.jpg"):
            sides.setdefault(group_of(PurePosixPath(path.name)), set()).add(split)
    assert report.groups == 15
    assert all(len(found) == 1 for found in sides.values())
    assert report.splits["val"].images == 6  # one pair of five per class


def test_the_split_is_the_same_for_the_same_seed_and_changes_with_it():
    items = [SplitItem(PurePosixPath(f"{c}/{i}.jpg"), c, f"{c}/{i}") for c in "abc" for i in range(20)]
    first, again = choose_validation(items, 0.2, seed=7), choose_validation(items, 0.2, seed=7)
    assert first == again and len(first) == 12
    assert choose_validation(items, 0.2, seed=8) != first
    assert {key.parts[0] for key in first} == {"a", "b", "c"}


def test_a_detection_zip_is_split_by_its_rarest_class_and_counts_instances(tmp_path):
    files = detection_files(per_class=5)
    files["images/empty.jpg"] = jpeg(shape_image("circle", 0)[0])
    files["labels/empty.txt"] = b""
    files["README.md"] = b"notes"
    report, folder = run_import(tmp_path, zip_bytes(files))
    assert report.task == "detect" and report.class_names == list(SHAPES)
    assert report.background_images == 1 and report.ignored_files == 1
    for shape in SHAPES:
        assert report.splits["val"].instances[shape] == 1
        assert report.splits["train"].instances[shape] == 4
    assert files_under(folder / "images" / "val") == {
        p.replace(".txt", ".jpg") for p in files_under(folder / "labels" / "val")
    }


def test_a_detection_zip_with_its_own_split_and_named_classes_mapping(tmp_path):
    files = detection_files(per_class=4, split=True)
    files["data.yaml"] = b"nc: 3\nnames: {0: circle, 1: square, 2: triangle}\n"
    report, folder = run_import(tmp_path, zip_bytes(files))
    assert not report.split_made and report.splits["val"].images == 6
    assert (folder / "labels" / "train" / "circle_0.txt").is_file()


def test_zip_slip_links_and_bombs_are_refused_before_anything_is_unpacked(tmp_path):
    files = classification_files(per_class=4)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr("../../escape.txt", b"x")
        archive.writestr("/etc/cron.d/evil", b"x")
        archive.writestr("circle/..\\..\\win.txt", b"x")
        archive.writestr("bomb/zeros.bin", bytes(5 * 2**20))
        link = zipfile.ZipInfo("circle/link.jpg")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    details = refused(tmp_path, buffer.getvalue())
    assert details["counts"] == {"path_escapes": 3, "link": 1, "compression_ratio": 1}
    assert any("escape.txt" in message for message in details["problems"]["path_escapes"])
    assert not (tmp_path.parent / "escape.txt").exists()


def test_too_many_files_and_too_many_bytes_are_refused(tmp_path):
    archive = zip_bytes({**classification_files(per_class=4), "big.bin": os.urandom(2 * 2**20)})
    details = refused(tmp_path, archive, DatasetLimits(max_files=5, max_unpacked_bytes=2**20))
    assert set(details["counts"]) == {"too_many_files", "too_large"}


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    assert refused(tmp_path, b"PK\x03\x04 not really a zip")["counts"] == {"corrupt_archive": 1}


def test_detection_label_problems_are_listed_by_kind_first_few_each(tmp_path):
    files = detection_files(per_class=4)
    files["labels/circle_0.txt"] = b"7 0.5 0.5 0.2 0.2\n"
    files["labels/circle_1.txt"] = b"0 1.5 0.5 0.2 0.2\n"
    files["labels/circle_2.txt"] = b"0 0.5 0.5\n"
    files["labels/circle_3.txt"] = b"zero 0.5 0.5 0.2 0.2\n"
    for i in range(5):
        files[f"images/broken_{i}.jpg"] = b"\xff\xd8\xff not an image"
        files[f"labels/broken_{i}.txt"] = b"0 0.5 0.5 0.2 0.2\n"
    del files["labels/square_0.txt"]
    files["labels/ghost.txt"] = b"0 0.5 0.5 0.2 0.2\n"
    details = refused(tmp_path, zip_bytes(files))
    assert details["counts"] == {
        "bad_class_id": 1,
        "coordinates_out_of_range": 1,
        "bad_label_line": 2,
        "undecodable_image": 5,
        "image_without_label": 1,
        "label_without_image": 1,
    }
    assert len(details["problems"]["undecodable_image"]) == LIMITS.max_listed_problems
    assert "labels/circle_0.txt:1" in details["problems"]["bad_class_id"][0]
    assert set(details["explanations"]) == set(details["counts"])


def test_a_data_yaml_without_names_is_refused(tmp_path):
    files = detection_files(per_class=2)
    files["data.yaml"] = b"train: images\n"
    assert refused(tmp_path, zip_bytes(files))["counts"] == {"bad_data_yaml": 1}


def test_classification_problems_are_listed(tmp_path):
    files = classification_files(per_class=4, split=True)
    files["loose.jpg"] = jpeg(shape_image("circle", 0)[0])
    files["val/hexagon/h.jpg"] = jpeg(shape_image("circle", 1)[0])
    files["train/circle/bad.png"] = b"\x89PNG\r\n\x1a\n broken"
    for name in list(files):
        if name.startswith("val/square/"):
            del files[name]
    details = refused(tmp_path, zip_bytes(files))
    assert details["counts"] == {
        "image_without_label": 1,
        "class_not_in_train": 1,
        "class_missing_from_val": 1,
        "undecodable_image": 1,
    }


def test_a_class_with_one_image_cannot_be_validated_and_one_class_is_not_enough(tmp_path):
    details = refused(tmp_path, zip_bytes({"only/a.jpg": jpeg(shape_image("circle", 0)[0])}))
    assert details["counts"] == {"too_few_images": 1, "too_few_classes": 1}


def test_an_archive_without_images_is_refused(tmp_path):
    assert refused(tmp_path, zip_bytes({"notes.txt": b"hello"}))["counts"] == {"no_images": 1}
