"""Every use coda-tui makes of Textual's and Rich's private internals, in one place.

Each is a measured speed-up the public API does not offer. A Textual or Rich upgrade can change
them without notice, so ``missing()`` names what is gone, and tests/test_textual_compat.py
fails loudly on it: pinned to ``textual>=8.2,<8.3``, look here first when moving the pin.

- ``Widget._size_updated(..., layout=False)``: take a new size without a second layout.
- ``Widget._layout_updates`` / ``_layout_required``: the counter Textual keys measured sizes by.
- ``TextArea._on_key``: the prompt's Enter/Ctrl+J handling runs before TextArea's own.
- ``rich.markdown.Markdown.parsed`` / ``.markup``: one parser for every block, not one each.
- ``Footer._bindings_ready``: a footer composes its keys in the first frame, not one later.
- ``App._clipboard``: what Textual's own paste inserts, set when the system clipboard took a copy.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from rich.markdown import Markdown
    from textual.geometry import Size
    from textual.widget import Widget


def settle_size(widget: Any, size: Size, virtual_size: Size, container_size: Size) -> bool:
    """Take a new size from the layout without asking for another one.

    Textual sets a resized widget's ``virtual_size`` reactive, which requests a second layout
    (and a repaint of everything that moved) on the next frame, though the layout that resized
    it already placed everything (a scroller's scrollbars, when they come or go, ask for their
    own). With two answers growing that second pass was half of every frame's cost, and keys
    waited behind it. Safe only with ``remeasure_on_layout``: the second pass used to correct
    an answer measured while its layout request waited. ``widget`` is ``super()`` of the
    overriding ``_size_updated``.
    """
    return bool(widget._size_updated(size, virtual_size, container_size, layout=False))


def remeasure_on_layout(widget: Widget) -> None:
    """Have the layout ``widget`` asks for measure it anew, even when one is already pending."""
    if widget._layout_required:
        widget._layout_updates += 1


_parser: MarkdownIt | None = None
_templates: dict[str, Markdown] = {}


def markdown(source: str, code_theme: str) -> Markdown:
    """Rich's ``Markdown(source)`` without its cost: it builds a new parser for every instance,
    more than half of rendering a short block. One parser, configured as Rich configures
    its own, parses every block; the rest of the object is copied from one made by Rich."""
    global _parser
    from rich.markdown import Markdown

    template = _templates.get(code_theme)
    if template is None:
        template = _templates[code_theme] = Markdown("", code_theme=code_theme, hyperlinks=False)
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt().enable("strikethrough").enable("table")
    document = copy.copy(template)
    document.markup = source
    document.parsed = _parser.parse(source)
    return document


def footer_ready_at_once(footer: Any) -> None:
    """Let a footer compose its keys with the screen, in the first frame.

    Textual's ``Footer`` composes empty until the first bindings signal, then recomposes: the keys
    appear a frame later, after a second round of mounting and styling (about 15 ms of start-up).
    The screen's bindings are known when it composes; only the focused widget's can change, and
    that sends the signal as usual. ``footer`` is the ``Footer`` being built.
    """
    footer.set_reactive(type(footer)._bindings_ready, True)


def remember_copied(app: Any, text: str) -> None:
    """Let Textual's own paste (in the app's inputs) insert ``text``: ``App.copy_to_clipboard``
    keeps it, but also writes OSC 52, which some terminals answer with a permission prompt,
    needless when the system clipboard took the text."""
    app._clipboard = text


def missing() -> list[str]:
    """The private names above that this Textual or Rich no longer has (empty when all hold)."""
    import inspect  # here, not at the top: this module is loaded before the first frame

    from rich.markdown import Markdown
    from textual.widget import Widget
    from textual.widgets import Footer, TextArea

    gone = []
    if not hasattr(Footer, "_bindings_ready"):
        gone.append("Footer._bindings_ready")
    parameters = inspect.signature(Widget._size_updated).parameters
    if not {"size", "virtual_size", "container_size", "layout"} <= set(parameters):
        gone.append("Widget._size_updated(size, virtual_size, container_size, layout)")
    widget = Widget()
    for name in ("_layout_updates", "_layout_required"):
        if not hasattr(widget, name):
            gone.append(f"Widget.{name}")
    if not inspect.iscoroutinefunction(getattr(TextArea, "_on_key", None)):
        gone.append("TextArea._on_key (a coroutine)")
    document = Markdown("")
    for name in ("parsed", "markup"):
        if not hasattr(document, name):
            gone.append(f"rich.markdown.Markdown.{name}")
    from textual.app import App

    if "self._clipboard = text" not in inspect.getsource(App.copy_to_clipboard):
        gone.append("App._clipboard")
    return gone
