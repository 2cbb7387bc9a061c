"""Storage: content sniffing, server-chosen names, nothing left after a failed save."""

import errno
import io
import os

import pytest

from api.exceptions import InvalidMedia, StorageFull, UnsupportedMedia
from api.storage import Storage, sniff_mime
from tests.helpers import jpeg_bytes, png_bytes


@pytest.mark.parametrize(
    "head,mime",
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  ", "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x9f\x42", "video/webm"),
        (b"PK\x03\x04\x14\x00", "application/zip"),
        (b"GIF89a", None),
        (b"<?php echo 1;", None),
    ],
)
def test_sniff_mime_reads_magic_bytes(head, mime):
    assert sniff_mime(head) == mime


def test_save_names_files_itself_in_the_users_folder(tmp_path):
    stored = Storage(tmp_path).save(7, io.BytesIO(jpeg_bytes()), {"image"})
    assert stored.path.parent == tmp_path / "7"
    assert stored.path.suffix == ".jpg" and len(stored.sha256) == 64


def test_refused_types_leave_no_file(tmp_path):
    with pytest.raises(UnsupportedMedia):
        Storage(tmp_path).save(1, io.BytesIO(png_bytes()), {"video"})
    with pytest.raises(InvalidMedia):
        Storage(tmp_path).save(1, io.BytesIO(b""), {"image"})
    assert list((tmp_path / "1").iterdir()) == []


def test_a_full_disk_is_reported_and_leaves_no_partial_file(tmp_path, monkeypatch):
    """The disk fills up while the upload is being written: the first chunk lands, the second does not."""
    import api.storage

    real_open, started = open, []

    class FullDisk(io.FileIO):
        def write(self, data):
            if started:
                raise OSError(errno.ENOSPC, "No space left on device")
            started.append(self.name)
            return super().write(data)

    def fake_open(path, mode="r", *args, **kwargs):
        return FullDisk(path, mode.replace("b", "")) if mode == "wb" else real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(api.storage, "open", fake_open, raising=False)
    monkeypatch.setattr(api.storage, "CHUNK_BYTES", 64)
    with pytest.raises(StorageFull):
        Storage(tmp_path).save(1, io.BytesIO(jpeg_bytes()), {"image"})
    assert started, "the failure came from writing, after part of the file was on disk"
    assert list((tmp_path / "1").iterdir()) == []


def test_stored_names_cannot_escape_the_users_folder(tmp_path):
    with pytest.raises(InvalidMedia):
        Storage(tmp_path).path_of(1, "../2/secret.jpg")


def test_a_staged_file_is_kept_under_its_final_name_or_discarded(tmp_path):
    storage = Storage(tmp_path)
    staged = storage.stage(3, io.BytesIO(jpeg_bytes()), {"image"})
    assert staged.path.name.startswith(".staged-") and staged.path.suffix == ".jpg"
    kept = storage.keep(staged)
    assert [path.name for path in (tmp_path / "3").iterdir()] == [kept.stored_name]
    other = storage.stage(3, io.BytesIO(jpeg_bytes()), {"image"})
    storage.discard(other)
    assert [path.name for path in (tmp_path / "3").iterdir()] == [kept.stored_name]


def test_the_sweep_removes_only_what_dead_processes_staged(tmp_path):
    import subprocess
    import sys

    storage = Storage(tmp_path)
    mine = storage.stage(1, io.BytesIO(jpeg_bytes()), {"image"})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = mine.path.with_name(mine.path.name.replace(f"-{os.getpid()}-", f"-{int(dead.stdout)}-"))
    orphan.write_bytes(b"half an upload")
    kept = storage.save(1, io.BytesIO(jpeg_bytes()), {"image"})
    assert storage.sweep_orphans() == 1
    assert sorted(path.name for path in (tmp_path / "1").iterdir()) == sorted([mine.path.name, kept.stored_name])
