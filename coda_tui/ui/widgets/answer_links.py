"""Lines of an answer as Rich rendered them, marked: a web address as a link to itself (only
an address as shown is a link), and a span in another style (the selection)."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

URL = re.compile(r"https?://[^\s<>()\[\]{}\"'`|\\^]+")
_URL_PART = re.compile(r"[^\s<>()\[\]{}\"'`|\\^]+")
_URL_END = ".,;:!?*_~"
"""Prose punctuation after an address, not part of it."""


def styled(strip: Strip, start: int, end: int, style: Style) -> Strip:
    """``strip`` with ``style`` over characters ``start`` to ``end`` of its text."""
    text = strip.text
    first, last = cell_len(text[:start]), cell_len(text[:end])
    if first >= last:
        return strip
    before, middle, after = strip.divide([first, last, strip.cell_length])[:3]
    marked = Strip(Segment.apply_style(middle, post_style=style), middle.cell_length)
    return Strip.join([before, marked, after])


def link_addresses(strips: list[Strip], width: int) -> list[Strip]:
    """Each web address shown in ``strips`` styled as a link to itself. An address too long
    for its line goes on at the start of the next (Rich folds it there): those parts are one."""
    texts = [strip.text for strip in strips]
    spans: list[tuple[int, int, int, str]] = []  # line, start, end, the whole address
    for y, text in enumerate(texts):
        for match in URL.finditer(text):
            if any(line == y and start <= match.start() < end for line, start, end, _ in spans):
                continue  # the rest of an address begun on the line above
            parts = [(y, match.start(), match.end())]
            line, end = y, match.end()
            while end >= len(texts[line].rstrip()) >= width - 2 and line + 1 < len(texts):
                rest = _URL_PART.match(
                    texts[line + 1], len(texts[line + 1]) - len(texts[line + 1].lstrip())
                )
                if rest is None:
                    break
                line, end = line + 1, rest.end()
                parts.append((line, rest.start(), end))
            address = "".join(texts[line][start:end] for line, start, end in parts)
            trimmed = address.rstrip(_URL_END)
            cut = len(address) - len(trimmed)
            if cut:
                line, start, end = parts[-1]
                parts[-1] = (line, start, max(start, end - cut))
            spans += [(line, start, end, trimmed) for line, start, end in parts]
    linked = list(strips)
    for line, start, end, address in spans:
        linked[line] = styled(linked[line], start, end, Style(link=address))
    return linked
