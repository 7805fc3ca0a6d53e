"""One conversation as the chat screen sees it: turns, provider, parameters, and its saved row.

No Textual here: this is the part of the chat that must survive every failure, so it is small
and tested on its own. An answer is saved while it streams, at most once a second.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..config import DefaultsSection
from ..providers import Message
from ..store import Attachment, ChatRecord, ChatStore
from .attachments import user_message
from .tool_rounds import replay

SAVE_EVERY_SECONDS = 1.0


@dataclass
class ChatParams:
    system_prompt: str = ""
    temperature: float | None = None
    max_tokens: int | None = None

    @classmethod
    def from_defaults(cls, defaults: DefaultsSection) -> ChatParams:
        """What a new chat or comparison starts with: the system prompt of [defaults], and no
        sampling of its own. Temperature and max tokens then come from the provider's section,
        else from [defaults] (the factory's order); sent as call arguments, [defaults] beat a
        section's own max_tokens."""
        return cls(defaults.system_prompt or "")

    def as_dict(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "max_tokens": self.max_tokens}


@dataclass
class Turn:
    role: str
    content: str
    status: str = "complete"
    provider: str = ""
    model: str = ""
    message_id: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    saved_at: float = 0.0
    parent_id: int | None = None
    sibling: int = 1
    """Which of the answers to its parent this is (``< 2/3 >``), from 1."""
    siblings: int = 1
    attachments: list[Attachment] = field(default_factory=list)
    """Files and images sent with a prompt (by reference: read again for each request)."""


class ChatSession:
    def __init__(
        self, store: ChatStore | None, provider: str, model: str, params: ChatParams | None = None
    ) -> None:
        self.store = store
        self.provider = provider
        self.model = model
        self.params = params or ChatParams()
        self.record: ChatRecord | None = None
        self.turns: list[Turn] = []
        self.earlier = 0  # saved turns not loaded yet (older ones)
        self.later = 0
        """Saved turns of the branch after the loaded ones (a chat opened at a search hit):
        the chat goes on from its end, so those are loaded (``open`` again) before it does."""
        self.save_error = ""
        self.title_format = "{text}"  # compare panes mark their chats as such
        self.attachment_notes: list[str] = []
        """What the last request found about its attachments (a file changed, or gone)."""

    # -- loading ----------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, store: ChatStore, chat_id: int, *, last: int, around: int | None = None
    ) -> ChatSession:
        """The chat with the newest ``last`` turns of its branch shown; or, ``around`` a
        message of it (a search hit), that message with one turn before it and up to ``last``
        after. Older and newer turns load on demand."""
        record = store.get_chat(chat_id)
        params = ChatParams(
            system_prompt=record.system_prompt,
            temperature=record.params.get("temperature"),
            max_tokens=record.params.get("max_tokens"),
        )
        session = cls(store, record.provider, record.model, params)
        session.record = record
        if around is None:
            stored = store.messages(chat_id, limit=last)
        else:
            stored, session.later = store.window(chat_id, around, before=1, after=last - 1)
        session.turns = _shown(stored)
        session.earlier = stored[0].depth - 1 if stored else 0
        return session

    def _earlier_turns(self, count: int) -> list[Turn]:
        """Up to ``count`` saved turns of this branch above the first one loaded."""
        if self.store is None or self.record is None or not self.earlier or not self.turns:
            return []
        before = self.turns[0].message_id
        return _shown(self.store.messages(self.record.id, limit=count, before_id=before))

    def load_later(self, count: int) -> list[Turn]:
        """Append up to ``count`` newer turns of the branch and return them."""
        if self.store is None or self.record is None or not self.later or not self.turns:
            return []
        last = self.turns[-1].message_id
        if last is None:
            return []
        stored, self.later = self.store.window(self.record.id, last, before=0, after=count)
        newer = _shown(stored[1:])
        self.turns += newer
        return newer

    def load_earlier(self, count: int) -> list[Turn]:
        """Prepend up to ``count`` older turns and return them."""
        older = self._earlier_turns(count)
        self.turns[:0] = older
        self.earlier = max(self.earlier - len(older), 0)
        return older

    # -- the conversation -------------------------------------------------------------------------

    def request_messages(self) -> list[Message]:
        """What the model is sent: the system prompt and every turn of the branch that has
        text, also the older ones a reopened chat has not put on screen."""
        messages = []
        self.attachment_notes = []
        if self.params.system_prompt:
            messages.append(Message(role="system", content=self.params.system_prompt))
        for turn in [*self._earlier_turns(self.earlier), *self.turns]:
            if turn.attachments and turn.role == "user":
                request = user_message(turn.content, turn.attachments)
                self.attachment_notes += request.notes
                messages.append(request.message)
            elif turn.role == "assistant" and turn.metrics.get("tools"):
                messages += replay(turn.content, turn.metrics)
            elif turn.content and turn.role in ("user", "assistant"):
                messages.append(Message(role=turn.role, content=turn.content))
        return messages

    @contextlib.contextmanager
    def _saving(self) -> Iterator[None]:
        """A failing disk must not cost the conversation: it goes on in memory, and says so."""
        try:
            yield
        except sqlite3.Error as exc:
            self.save_error = f"Chat history stopped saving: {exc}"
            self.store = None

    def _parent(self) -> int | None:
        return self.turns[-1].message_id if self.turns else None

    def _place(self, turn: Turn) -> None:
        """Number a new message among the answers to its parent: it is the newest."""
        if self.store is not None and self.record is not None:
            count = len(self.store.sibling_ids(self.record.id, turn.parent_id))
            turn.sibling = turn.siblings = max(count, 1)

    def add_user(self, text: str, attachments: list[Attachment] | None = None) -> Turn:
        turn = Turn("user", text, parent_id=self._parent(), attachments=list(attachments or []))
        self.turns.append(turn)
        with self._saving():
            if self.store is None:
                return turn
            if self.record is None:
                words = " ".join(text.split())[:60] or "New chat"
                title = self.title_format.format(text=words, model=self.model)
                self.record = self.store.create_chat(
                    title,
                    self.provider,
                    self.model,
                    system_prompt=self.params.system_prompt,
                    params=self.params.as_dict(),
                )
            turn.message_id = self.store.add_message(
                self.record.id, "user", text, parent_id=turn.parent_id, attachments=turn.attachments
            )
            self._place(turn)
        return turn

    def persist(self, store: ChatStore) -> ChatRecord | None:
        """Save this conversation, kept in memory so far, as a new chat: a compare pane is
        saved when it is continued as a chat, not one history entry per pane per run."""
        self.store = store
        with self._saving():
            first = next((t.content for t in self.turns if t.role == "user"), "")
            words = " ".join(first.split())[:60] or "New chat"
            self.record = store.create_chat(
                self.title_format.format(text=words, model=self.model),
                self.provider,
                self.model,
                system_prompt=self.params.system_prompt,
                params=self.params.as_dict(),
            )
            parent = None
            for turn in self.turns:
                turn.parent_id = parent
                turn.message_id = parent = store.add_message(
                    self.record.id,
                    turn.role,
                    turn.content,
                    status=turn.status,
                    provider=turn.provider,
                    model=turn.model,
                    metrics=turn.metrics,
                    parent_id=parent,
                    attachments=turn.attachments,
                )
        return self.record

    def begin_answer(self) -> Turn:
        turn = Turn(
            "assistant", "", "streaming", self.provider, self.model, parent_id=self._parent()
        )
        self.turns.append(turn)
        with self._saving():
            if self.store is None or self.record is None:
                return turn
            turn.message_id = self.store.add_message(
                self.record.id,
                "assistant",
                "",
                status="streaming",
                provider=self.provider,
                model=self.model,
                parent_id=turn.parent_id,
            )
            self._place(turn)
            turn.saved_at = time.monotonic()
        return turn

    def update_answer(self, turn: Turn, parts: list[str]) -> None:
        """Save the partial answer, at most once a second (joined only when saved)."""
        now = time.monotonic()
        if now - turn.saved_at < SAVE_EVERY_SECONDS:
            return
        turn.content = "".join(parts)
        turn.saved_at = now
        with self._saving():
            if self.store is not None and turn.message_id:
                self.store.update_message(turn.message_id, content=turn.content)

    def end_answer(
        self, turn: Turn, text: str, status: str, metrics: dict[str, Any] | None = None
    ) -> None:
        turn.content, turn.status = text, status
        turn.metrics = metrics or {}
        with self._saving():
            if self.store is not None and turn.message_id:
                self.store.update_message(
                    turn.message_id, content=text, status=status, metrics=turn.metrics
                )

    # -- branches ---------------------------------------------------------------------------------

    def _cut(self, index: int) -> Turn:
        """Take the turns from ``index`` off the screen's branch (they stay saved, a sibling
        branch) and return the one at ``index``. Its parent stays loaded."""
        if index == 0 and self.earlier:
            older = self.load_earlier(1)
            index += len(older)
        turn = self.turns[index]
        del self.turns[index:]
        self.later = 0  # what followed is a sibling branch now
        return turn

    def edit(self, index: int, text: str) -> Turn:
        """Send ``text`` in place of the prompt at ``index``: a new branch from there; the old
        prompt and all that followed it stay, a sibling."""
        if self.turns[index].role != "user":
            raise ValueError("only a prompt can be edited; an answer is asked again")
        old = self._cut(index)
        return self.add_user(text, old.attachments)

    def regenerate_at(self, index: int) -> None:
        """Make room to ask again for the answer at ``index`` (then ``begin_answer``): the old
        answer and what followed it stay, a sibling branch. An empty answer (it failed before
        its first token) is deleted instead: there is nothing to keep."""
        if self.turns[index].role != "assistant":
            raise ValueError("only an answer is asked again; a prompt is edited")
        old = self._cut(index)
        if not old.content and old.message_id is not None:
            with self._saving(), contextlib.suppress(ValueError):  # others follow it: kept
                if self.store is not None:
                    self.store.delete_message(old.message_id)

    def last_answer_index(self) -> int | None:
        """Where a retry answers again: the last answer, or None after a prompt that has none."""
        if self.turns and self.turns[-1].role == "assistant":
            return len(self.turns) - 1
        return None

    def switch(self, index: int, step: int, *, last: int = 8) -> list[Turn]:
        """Show the sibling ``step`` away from the turn at ``index`` (wrapping), with the branch
        below it last written (its first ``last`` turns loaded); returns the turns from
        ``index`` on, now on screen."""
        turn = self.turns[index]
        if self.store is None or self.record is None or turn.message_id is None:
            return []
        ids = self.store.sibling_ids(self.record.id, turn.parent_id)
        if len(ids) < 2 or turn.message_id not in ids:
            return []
        chosen = ids[(ids.index(turn.message_id) + step) % len(ids)]
        with self._saving():
            self.store.choose(chosen)
            stored, self.later = self.store.window(self.record.id, chosen, before=0, after=last - 1)
            below = _shown(stored)
            self.turns[index:] = below
            return below
        return []

    def fork(self, index: int) -> ChatRecord | None:
        """A new saved chat holding this branch up to the turn at ``index``."""
        turn = self.turns[index]
        if self.store is None or self.record is None or turn.message_id is None:
            return None
        title = self.record.title.removesuffix(" (fork)")[:72] + " (fork)"
        with self._saving():
            return self.store.fork(self.record.id, turn.message_id, title)
        return None

    def set_model(self, provider: str, model: str) -> None:
        self.provider, self.model = provider, model
        with self._saving():
            if self.store is not None and self.record is not None:
                self.store.update_chat(self.record.id, provider=provider, model=model)

    def set_params(self, params: ChatParams) -> None:
        self.params = params
        with self._saving():
            if self.store is not None and self.record is not None:
                self.store.update_chat(
                    self.record.id, system_prompt=params.system_prompt, params=params.as_dict()
                )


def _shown(messages: list[Any]) -> list[Turn]:
    """Saved messages as turns; one still marked streaming was cut (no answer streams into a
    chat being opened): it reads as interrupted."""
    turns = [_turn(m) for m in messages]
    for turn in turns:
        if turn.status == "streaming":
            turn.status = "interrupted"
    return turns


def _turn(message: Any) -> Turn:
    return Turn(
        role=message.role,
        content=message.content,
        status=message.status,
        provider=message.provider,
        model=message.model,
        message_id=message.id,
        metrics=message.metrics,
        parent_id=message.parent_id,
        sibling=message.sibling,
        siblings=message.siblings,
        attachments=list(message.attachments),
    )
