from __future__ import annotations

import itertools
from pathlib import Path
from time import monotonic

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.app import App, ComposeResult

from coda_tui.providers import load_config
from coda_tui.ui import textual_compat
from coda_tui.ui.app import CodaApp
from coda_tui.ui.widgets import answer_markdown, frame_clock
from coda_tui.ui.widgets.answer_markdown import AnswerMarkdown, BlockSplitter, estimate_height


def split(text: str) -> BlockSplitter:
    splitter = BlockSplitter()
    splitter.feed(text)
    return splitter


def test_blank_lines_finish_blocks() -> None:
    blocks = split("para one\nstill one\n\npara two\n\n\n- a\n- b\n\nopen")
    assert blocks.finished == ["para one\nstill one", "para two", "- a\n- b"]
    assert blocks.open_block == "open"


def test_code_fences_keep_their_blank_lines() -> None:
    blocks = split("```python\na = 1\n\nb = 2\n```\n\nafter")
    assert blocks.finished == ["```python\na = 1\n\nb = 2\n```"]
    assert blocks.open_block == "after"


def test_an_unclosed_fence_stays_open() -> None:
    blocks = split("~~~\ncode\n\n  more\n")
    assert blocks.finished == []
    assert blocks.open_block == "~~~\ncode\n\n  more"


def test_a_shorter_or_other_fence_does_not_close() -> None:
    blocks = split("````\n```\nnot closed\n\n````\n\nnext\n")
    assert blocks.finished == ["````\n```\nnot closed\n\n````"]


markdownish = st.text(alphabet=st.sampled_from(list("ab `~-#\n")), max_size=200)


@given(markdownish, st.lists(st.integers(min_value=0, max_value=200), max_size=10))
def test_pieces_split_like_the_whole(text: str, cuts: list[int]) -> None:
    whole = split(text)
    pieces = BlockSplitter()
    points = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    for start, end in itertools.pairwise(points):
        pieces.feed(text[start:end])
    assert pieces.finished == whole.finished
    assert pieces.open_block == whole.open_block


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield AnswerMarkdown(id="answer")


async def test_widget_paints_what_was_fed_with_one_layout_box() -> None:
    app = One()
    async with app.run_test(size=(60, 20)) as pilot:
        answer = app.query_one(AnswerMarkdown)
        for word in "Hello **world**\n\n```py\nx = 1\n```\n\nbye".split(" "):
            answer.feed(word + " ")
        await answer.finish()
        await pilot.pause()
        lines = [answer.render_line(y).text.rstrip() for y in range(answer.size.height)]
        text = "\n".join(lines)
        assert "Hello world" in text
        assert "x = 1" in text
        assert lines[-1].strip() == "bye"
        assert answer.text.startswith("Hello **world**")
        assert list(answer.children) == []


async def test_rerenders_for_a_new_width() -> None:
    app = One()
    async with app.run_test(size=(60, 20)) as pilot:
        answer = app.query_one(AnswerMarkdown)
        answer.feed("word " * 40 + "\n\nnext")
        await answer.finish()
        await pilot.pause()
        wide = answer.size.height
        await pilot.resize_terminal(30, 20)
        await pilot.pause()
        assert answer.size.height > wide


async def test_a_costly_open_block_is_repainted_less_often_but_ends_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Any rendering now counts as costly: the growing block is held after its first paint.
    monkeypatch.setattr(answer_markdown, "OPEN_BLOCK_SHARE", 1e-9)
    app = One()
    async with app.run_test(size=(60, 40)) as pilot:
        answer = app.query_one(AnswerMarkdown)
        answer.feed("```python\nfirst = 1\n")
        await pilot.pause(0.2)
        answer.feed("second = 2\n")
        await pilot.pause(0.2)  # frames pass; the open block keeps its earlier lines
        shown = "\n".join(answer.render_line(y).text for y in range(answer.size.height))
        assert "first = 1" in shown and "second = 2" not in shown
        await answer.finish()  # the final paint is never held
        await pilot.pause()
        shown = "\n".join(answer.render_line(y).text for y in range(answer.size.height))
        assert "first = 1" in shown and "second = 2" in shown


PARAGRAPH = "Streaming text to a terminal is easy to get wrong because every token counts. " * 3


class Scrolled(App[None]):
    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        with VerticalScroll():
            yield AnswerMarkdown(id="answer")


async def test_a_long_answer_renders_its_tail_first_and_the_rest_soon_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coda_tui.ui.widgets import answer_markdown

    app = Scrolled()
    async with app.run_test(size=(60, 20)) as pilot:
        answer = app.query_one(AnswerMarkdown)
        answer.feed("\n\n".join(f"{n}: {PARAGRAPH}" for n in range(200)) + "\n\nTHE END")
        # The filling-in waits for later frames: held off here, so a loaded machine (whose
        # pause lasts several frames) cannot make the first paint look bigger than it was.
        monkeypatch.setattr(answer_markdown, "FRAME_SECONDS", 3600.0)
        await answer.finish()
        await pilot.pause()
        waiting = answer._rendered.count(None)
        assert waiting > 150  # only the last screenful was rendered for the first paint
        assert answer._rendered[-1] is not None
        monkeypatch.undo()
        assert answer._fill_timer is not None
        answer._fill_timer.stop()
        answer._fill()  # the held timer goes on at the real pace
        scroll = app.query_one("VerticalScroll")
        scroll.scroll_end(animate=False)
        await pilot.pause()
        assert "THE END" in "\n".join(line.text for line in app.screen._compositor.render_strips())
        for _ in range(100):  # then the rest, a few milliseconds a frame
            await pilot.pause(0.05)
            if None not in answer._rendered:
                break
        assert None not in answer._rendered


async def test_scrolling_up_to_a_block_not_rendered_yet_renders_it() -> None:
    app = Scrolled()
    async with app.run_test(size=(60, 20)) as pilot:
        answer = app.query_one(AnswerMarkdown)
        answer.feed("\n\n".join(f"block {n}: {PARAGRAPH}" for n in range(200)))
        app.query_one("VerticalScroll").scroll_end(animate=False)
        await answer.finish()
        await pilot.pause()
        assert answer._rendered[0] is None  # filled last, and not on screen
        app.query_one("VerticalScroll").scroll_home(animate=False)
        await pilot.pause()
        screen = "\n".join(line.text for line in app.screen._compositor.render_strips())
        assert "block 0: Streaming text" in screen
        assert answer._rendered[0] is not None


@pytest.mark.parametrize(
    "source",
    [
        PARAGRAPH,
        "- first point about streaming\n- second point about rendering " + PARAGRAPH,
        "1. one\n2. two\n3. three",
        "```python\ndef total(values):\n    return sum(values)\n```",
        "short line\ncontinues here",
    ],
)
async def test_height_estimates_match_the_render_for_common_blocks(source: str) -> None:
    app = One()
    async with app.run_test(size=(60, 20)):
        answer = app.query_one(AnswerMarkdown)
        for width in (20, 57, 100):
            number = answer._code_number(source)  # as the answer renders it: a code block labelled
            assert estimate_height(source, width) == len(
                answer._render_block(source, width, number)
            )


class CountingAnswer(AnswerMarkdown):
    layouts = 0

    def get_content_height(self, container, viewport, width):  # type: ignore[no-untyped-def]
        type(self).layouts += 1
        return super().get_content_height(container, viewport, width)


class Counting(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingAnswer(id="answer")


async def test_words_that_fit_the_last_line_repaint_without_a_layout() -> None:
    app = Counting()
    async with app.run_test(size=(60, 20)) as pilot:
        answer = app.query_one(CountingAnswer)
        answer.feed("A first line")
        await pilot.pause(0.15)
        before = CountingAnswer.layouts
        answer.feed(" and more")  # still one line
        await pilot.pause(0.15)
        assert CountingAnswer.layouts == before
        assert "A first line and more" in answer.render_line(0).text
        answer.feed(" words" * 30)  # wraps: the widget grows, the screen is laid out again
        await pilot.pause(0.15)
        assert CountingAnswer.layouts > before
        assert answer.size.height > 1


SAMPLE = """# Title

Some *emphasis*, **strong**, ~~struck~~ and `code`; a link <https://example.com>.

| a | b |
|---|---|
| 1 | 2 |

- one
- two

```python
def f(x: int) -> int:
    return x + 1
```
"""


@pytest.mark.parametrize("theme", ["monokai", "default"])
def test_the_shared_parser_renders_as_rich_does(theme: str) -> None:
    """``markdown()`` skips Rich's per-instance parser; what it renders must not change."""
    from rich.console import Console
    from rich.markdown import Markdown

    def text(renderable: object, colour: bool = True) -> str:
        console = Console(width=60, color_system="truecolor" if colour else None)
        with console.capture() as capture:
            console.print(renderable)
        return capture.get()

    ours = textual_compat.markdown(SAMPLE, theme)
    theirs = Markdown(SAMPLE, code_theme=theme, hyperlinks=False)
    assert vars(ours).keys() == vars(theirs).keys()
    assert text(ours) == text(theirs)
    plain = text(ours, colour=False)
    assert "struck" in plain and " 1  2" in plain and "return x + 1" in plain


def test_warm_up_compiles_the_highlighters() -> None:
    from pygments.lexers.python import PythonLexer

    answer_markdown.warm_up()
    assert "_tokens" in vars(PythonLexer)  # compiled once per class, on first use


@pytest.fixture
def paints(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each answer was painted (monotonic seconds)."""
    painted: list[float] = []
    original = AnswerMarkdown.paint

    def paint(self: AnswerMarkdown) -> None:
        painted.append(monotonic())
        original(self)

    monkeypatch.setattr(AnswerMarkdown, "paint", paint)
    return painted


async def start_a_slow_answer(pilot, painted: list[float], frames: int) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*"tell me a long story", "enter")
    for _ in range(300):
        if len(painted) >= frames:
            return
        await pilot.pause(0.01)
    raise AssertionError("the answer was not painted")


def slow_mock_app(config: Path, delay: float = 0.05) -> CodaApp:
    config.write_text(f"[providers.mock]\ndelay = {delay}\n", encoding="utf-8")
    return CodaApp(load_config())


async def test_answers_wait_while_keys_are_pressed(user_config: Path, paints: list[float]) -> None:
    """A key's frame comes before the answers' next one: while an answer streams, it is not
    painted for INPUT_FIRST after a key press, then painted again frame by frame."""
    app = slow_mock_app(user_config)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_a_slow_answer(pilot, paints, frames=3)
        pressed = monotonic()  # (press returns once the app is idle again, a while later)
        await pilot.press("x")
        await pilot.pause(frame_clock.INPUT_FIRST * 4)
        after = [t - pressed for t in paints if t > pressed]
        assert after and after[0] >= frame_clock.INPUT_FIRST
        assert len(after) >= 2  # and then frames go on


async def test_steady_typing_does_not_freeze_answers(
    user_config: Path, paints: list[float]
) -> None:
    app = slow_mock_app(user_config, delay=0.1)  # still answering after the second of typing
    async with app.run_test(size=(100, 30)) as pilot:
        await start_a_slow_answer(pilot, paints, frames=1)
        started = monotonic()
        clock = frame_clock.FrameClock.of(app)
        while monotonic() - started < 1.0:  # a key every 50 ms: always within INPUT_FIRST
            clock.hold()
            await pilot.pause(0.05)
        during = [t for t in paints if t > started]
        assert len(during) >= 2  # at least every MOST_HELD
        gaps = [b - a for a, b in itertools.pairwise([started, *during])]
        assert max(gaps) < frame_clock.MOST_HELD + 0.15


class Conversation(App[None]):
    def compose(self) -> ComposeResult:
        from textual.widgets import Input

        from coda_tui.ui.widgets.message import MessageScroll, MessageView

        yield MessageScroll(MessageView("assistant", status="streaming"))
        yield Input(id="typing")


async def test_a_growing_answer_costs_one_layout_per_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual asks for a second layout after resizing a widget; answers, their messages and
    the scroller settle their new size in the first, so a frame that grew an answer by some
    lines is one layout, not two."""
    from textual.screen import Screen

    layouts = 0
    original = Screen._refresh_layout

    def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
        nonlocal layouts
        layouts += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    app = Conversation()
    async with app.run_test(size=(60, 40)) as pilot:  # room for it all: no scrollbar comes
        answer = app.query_one(AnswerMarkdown)
        await pilot.pause(0.2)
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        for step in range(5):
            answer.feed(f"line {step} " + "word " * 12 + "\n\n")
            await pilot.pause(0.2)  # a frame (or more) passes
        assert answer.size.height >= 5 * 2
        assert 5 <= layouts <= 6, layouts  # one per growth (two each without settle_size)


async def test_a_layout_between_growths_does_not_leave_the_answer_its_old_height() -> None:
    """Another pane's layout measures this answer after it asked for a layout and before
    it grows again; the layout it then gets must measure it anew. Once this left the end
    of an answer off screen for good (its last growth is the one nothing follows)."""
    app = Conversation()
    async with app.run_test(size=(60, 40)) as pilot:
        answer = app.query_one(AnswerMarkdown)
        answer.feed("first line\n\n")
        await pilot.pause(0.2)
        answer.feed("second line\n\n")
        answer.paint()  # asks for a layout
        answer._check_refresh()  # its request goes to the screen...
        answer.feed("third line\n\n")
        answer.paint()  # ...and it asks again before that layout runs
        app.screen._refresh_layout()  # which measures it now, with three lines
        answer.feed("fourth line")
        await answer.finish()  # the last growth: no other layout comes after it
        await pilot.pause(0.2)
        assert answer.size.height == 7  # four lines, a blank line between each
        assert "fourth line" in answer.render_line(6).text
