"""The boxes a mock serves: their ids, subdomains and names.

A box is what ``box=`` names by number (API.md, "Routes"), what ``{box}.aimharder.com``
names by subdomain, and a role in whoami (API.md, "GET /api/whoami"). Configured boxes come first;
every other box id a class uses is served too, as subdomain ``box<id>`` under ``box_name``; with no
box at all there is still the default one, so whoami always lists a role.
"""

from __future__ import annotations

from collections.abc import Iterable

from mock_aimharder.model.config import DEFAULT_BOX, BoxSpec

__all__ = ["Boxes"]


class Boxes:
    """The directory of boxes, from the configured ones and the classes' box ids."""

    def __init__(self, configured: Iterable[BoxSpec], class_boxes: Iterable[int], name: str):
        boxes = list(configured)
        known = {box.id for box in boxes}
        for box_id in sorted(set(class_boxes) - known):
            boxes.append(BoxSpec(id=box_id, subdomain=f"box{box_id}"))
        self.all = boxes or [BoxSpec(id=DEFAULT_BOX, subdomain=f"box{DEFAULT_BOX}")]
        self._name = name

    def id_of(self, name: str) -> int | None:
        """The id of the box a path names, by subdomain or by its numeric id."""
        for box in self.all:
            if name in (box.subdomain, str(box.id)):
                return box.id
        return None

    def name_of(self, box_id: int) -> str:
        """``boxName``: the configured box's name, else the mock's ``box_name``."""
        for box in self.all:
            if box.id == box_id and box.name:
                return box.name
        return self._name
