"""An image folder is a camera: images in name order, looped, at the requested rate."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.camera import CameraError, FileSource
from perception.images import decode_jpeg, jpeg_size
from tests.perception.media import frame_index, write_image_folder


def test_folder_images_play_in_name_order_and_loop(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "frames", frames=4, ext=".png")
    (folder / "notes.txt").write_text("ignored")
    source = FileSource(folder, fps=200)
    source.open()
    try:
        images = [source.read()[0] for _ in range(9)]
    finally:
        source.close()
    assert [frame_index(i) for i in images] == [0, 1, 2, 3, 0, 1, 2, 3, 0]
    assert jpeg_size(images[0]) == (320, 240)   # PNG files are encoded once, to JPEG


def test_jpeg_files_are_passed_on_as_they_are(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "frames", frames=2, ext=".jpg")
    source = FileSource(folder, fps=200)
    source.open()
    try:
        first = source.read()[0]
    finally:
        source.close()
    assert first == (folder / "frame_0000.jpg").read_bytes()


def test_images_added_to_the_folder_join_on_the_next_loop(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "frames", frames=2)
    source = FileSource(folder, fps=200)
    source.open()
    try:
        first = [frame_index(source.read()[0]) for _ in range(2)]
        write_image_folder(tmp_path / "more", frames=3)
        (tmp_path / "more" / "frame_0002.jpg").rename(folder / "frame_0002.jpg")
        after = [frame_index(source.read()[0]) for _ in range(3)]
    finally:
        source.close()
    assert first == [0, 1]
    assert after == [0, 1, 2]


def test_frames_are_resized_when_a_size_is_requested(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "frames", frames=1, width=320, height=240)
    source = FileSource(folder, fps=100, width=640, height=480)
    source.open()
    try:
        jpeg, _ = source.read()
    finally:
        source.close()
    assert jpeg_size(jpeg) == (640, 480)
    assert decode_jpeg(jpeg).shape == (480, 640, 3)


def test_empty_folder_is_not_a_camera(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CameraError, match="no images"):
        FileSource(tmp_path / "empty").open()
