"""Labels on the trade-off figure: each readable, none over another, even where the points they
name sit on top of each other (issue 23: "every recommended point sits at the origin with
overprinted labels")."""

from __future__ import annotations

from sim.report.figures import place_labels


def test_labels_of_points_on_top_of_each_other_do_not_overlap() -> None:
    # Imported here, not with the module: every pytest worker collects this file, and
    # matplotlib costs each about half a second. Files only, as the report draws them.
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.text import Text  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(6, 4))
    try:
        axes.set(xlim=(-1, 1), ylim=(1, 100), yscale="log")
        points = [(str(load), 0.0, 5.0 + 0.01 * load) for load in (1, 5, 10, 15, 20, 30)]
        place_labels(axes, [(t, x, y, "C0", axes.transData) for t, x, y in points])
        figure.canvas.draw()  # the extents below are the drawn ones
        # Each label's own box (an annotation's extent would include its leader line).
        boxes = [Text.get_window_extent(text) for text in axes.texts]
        assert [text.get_text() for text in axes.texts] == [t for t, *_ in points]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), (a, b)
    finally:
        plt.close(figure)
