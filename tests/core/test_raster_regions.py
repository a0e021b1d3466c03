"""The numpy image operations the text models are fed and read with: resizing and straightening
as OpenCV does them (compared with OpenCV where it is installed), parts of a mask as a flood
fill finds them, rectangles that hold their points and are the least, and means inside
polygons."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from vocalens.core.describing.raster import resized, straightened
from vocalens.core.describing.regions import mean_inside, parts, smallest_rectangle

rng = np.random.default_rng(7)


def photo(height: int = 120, width: int = 160) -> np.ndarray:
    """Smooth shapes with sharp edges, like a screen's contents."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([x * 255 // width, y * 255 // height, (x * y) % 256], axis=-1)
    image[20:60, 30:90] = [250, 20, 40]
    return image.astype(np.uint8)


def flood_parts(mask: np.ndarray) -> list[set[tuple[int, int]]]:
    seen = np.zeros_like(mask)
    found = []
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        part, queue = set(), deque([start])
        seen[start] = True
        while queue:
            y, x = queue.popleft()
            part.add((int(x), int(y)))
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    inside = 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1]
                    if inside and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        queue.append((ny, nx))
        found.append(part)
    return found


@pytest.mark.parametrize("density", [0.05, 0.3, 0.55])
def test_parts_are_what_a_flood_fill_finds(density) -> None:
    mask = rng.random((40, 50)) < density
    ours = parts(mask)
    expected = flood_parts(mask)
    assert len(ours) == len(expected)
    for points, part in zip(ours, expected, strict=True):
        ends = {(int(x), int(y)) for x, y in points}
        assert ends <= part
        for y in {y for _, y in part}:  # each row's first and last pixel are kept
            row = [x for x, yy in part if yy == y]
            assert (min(row), y) in ends and (max(row), y) in ends


def test_an_empty_mask_has_no_parts() -> None:
    assert parts(np.zeros((5, 7), dtype=bool)) == []


def test_the_smallest_rectangle_holds_every_point_and_beats_the_upright_one() -> None:
    for _ in range(200):
        points = rng.random((int(rng.integers(3, 30)), 2)) * 100
        corners, length, width = smallest_rectangle(points)
        along = corners[1] - corners[0]
        across = corners[3] - corners[0]
        assert np.isclose(np.linalg.norm(along), length, atol=1e-3)
        assert np.isclose(np.linalg.norm(across), width, atol=1e-3)
        assert abs(float(np.dot(along, across))) < 1e-2 * max(1.0, length * width)
        on_along = (points - corners[0]) @ along / max(length, 1e-9) ** 2
        on_across = (points - corners[0]) @ across / max(width, 1e-9) ** 2
        assert on_along.min() > -1e-4 and on_along.max() < 1 + 1e-4
        assert on_across.min() > -1e-4 and on_across.max() < 1 + 1e-4
        upright = np.prod(points.max(axis=0) - points.min(axis=0))
        assert length * width <= upright + 1e-6


def test_points_on_a_line_have_a_rectangle_without_width() -> None:
    _, length, width = smallest_rectangle(np.array([[0, 0], [3, 3], [6, 6]]))
    assert np.isclose(length, np.hypot(6, 6)) and width == 0


def test_the_mean_inside_an_upright_rectangle_is_the_slices() -> None:
    values = rng.random((30, 40))
    corners = np.array([[5, 4], [20, 4], [20, 17], [5, 17]])
    assert np.isclose(mean_inside(values, corners), values[4:18, 5:21].mean())
    # from another corner, the same pixels are found as a polygon's
    assert np.isclose(mean_inside(values, np.roll(corners, 1, axis=0)), values[4:18, 5:21].mean())


def test_resizing_a_ramp_interpolates_it() -> None:
    ramp = np.tile(np.arange(0, 250, 10, dtype=np.uint8), (4, 1))  # 25 columns
    wider = resized(ramp, (50, 4))
    expected = np.clip(((np.arange(50) + 0.5) / 2 - 0.5) * 10, 0, 240)
    assert np.abs(wider[0].astype(float) - expected).max() <= 0.5
    assert resized(photo(), (160, 120)).tobytes() == photo().tobytes()


def test_straightening_an_upright_whole_pixel_box_cuts_it_out() -> None:
    image = photo()
    quad = np.array([[30, 20], [90, 20], [90, 60], [30, 60]], dtype=np.float32)
    np.testing.assert_array_equal(straightened(image, quad, 60, 40), image[20:60, 30:90])


cv2 = pytest.importorskip("cv2", reason="OpenCV, the reference, is not installed")


@pytest.mark.parametrize("size", [(80, 52), (160, 120), (333, 97), (37, 48), (2, 2)])
def test_resizing_is_opencvs_within_one_level(size) -> None:
    image = photo()
    for channels in (image, image[..., 0]):
        difference = np.abs(resized(channels, size).astype(int) - cv2.resize(channels, size))
        assert difference.max() <= 1 and difference.mean() < 0.5  # ties rounded otherwise


@pytest.mark.parametrize(
    "quad",
    [[[10.3, 20.2], [130.7, 20.2], [130.7, 50.9], [10.3, 50.9]],
     [[10, 20], [140, 40], [138, 70], [8, 50]],  # turned
     [[-5, -5], [100, 0], [100, 30], [0, 30]]],  # partly outside: edges repeated
    ids=["upright", "turned", "outside"],
)  # fmt: skip
def test_straightening_is_opencvs_within_rounding(quad) -> None:
    image, quad = photo(), np.array(quad, dtype=np.float32)
    width, height = int(np.linalg.norm(quad[0] - quad[1])), int(np.linalg.norm(quad[0] - quad[3]))
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    theirs = cv2.warpPerspective(image, cv2.getPerspectiveTransform(quad, corners),
                                 (width, height), borderMode=cv2.BORDER_REPLICATE,
                                 flags=cv2.INTER_CUBIC)  # fmt: skip
    difference = np.abs(straightened(image, quad, width, height).astype(int) - theirs)
    assert difference.mean() < 0.3 and difference.max() <= 8


def test_rectangles_and_means_are_opencvs() -> None:
    for _ in range(100):
        points = np.round(rng.random((int(rng.integers(3, 30)), 2)) * 100).astype(np.float32)
        _, length, width = smallest_rectangle(points)
        assert np.isclose(length * width, np.prod(cv2.minAreaRect(points)[1]), rtol=1e-4,
                          atol=1e-3)  # fmt: skip
        values = rng.random((110, 110)).astype(np.float32)
        corners = smallest_rectangle(points)[0].astype(np.int32)
        mask = np.zeros(values.shape, np.uint8)
        cv2.fillPoly(mask, corners.reshape(1, -1, 2), 1)
        assert abs(mean_inside(values, corners) - cv2.mean(values, mask)[0]) < 0.03
