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
from ..store import ChatRecord, ChatStore

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
        self.save_error = ""
        self.title_format = "{text}"  # compare panes mark their chats as such

    # -- loading ----------------------------------------------------------------------------------

    @classmethod
    def open(cls, store: ChatStore, chat_id: int, *, last: int) -> ChatSession:
        """The chat with its newest ``last`` turns; older ones load on demand."""
        record = store.get_chat(chat_id)
        params = ChatParams(
            system_prompt=record.system_prompt,
            temperature=record.params.get("temperature"),
            max_tokens=record.params.get("max_tokens"),
        )
        session = cls(store, record.provider, record.model, params)
        session.record = record
        session.turns = [_turn(m) for m in store.messages(chat_id, limit=last)]
        for turn in session.turns:
            if turn.status == "streaming":  # no answer streams into a chat being opened
                turn.status = "interrupted"
        session.earlier = store.count_messages(chat_id) - len(session.turns)
        return session

    def load_earlier(self, count: int) -> list[Turn]:
        """Prepend up to ``count`` older turns and return them."""
        if self.store is None or self.record is None or not self.earlier:
            return []
        before = self.turns[0].message_id if self.turns else None
        older = [
            _turn(m) for m in self.store.messages(self.record.id, limit=count, before_id=before)
        ]
        for turn in older:
            if turn.status == "streaming":
                turn.status = "interrupted"
        self.turns[:0] = older
        self.earlier = max(self.earlier - len(older), 0)
        return older

    # -- the conversation -------------------------------------------------------------------------

    def request_messages(self) -> list[Message]:
        """What the model is sent: the system prompt and every turn that has text."""
        messages = []
        if self.params.system_prompt:
            messages.append(Message(role="system", content=self.params.system_prompt))
        for turn in self.turns:
            if turn.content and turn.role in ("user", "assistant") and turn.status != "replaced":
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

    def add_user(self, text: str) -> Turn:
        turn = Turn("user", text)
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
            turn.message_id = self.store.add_message(self.record.id, "user", text)
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
            for turn in self.turns:
                turn.message_id = store.add_message(
                    self.record.id,
                    turn.role,
                    turn.content,
                    status=turn.status,
                    provider=turn.provider,
                    model=turn.model,
                    metrics=turn.metrics,
                )
        return self.record

    def begin_answer(self) -> Turn:
        turn = Turn("assistant", "", "streaming", self.provider, self.model)
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
            )
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

    def drop_last_answer(self) -> Turn | None:
        """Set the last answer aside to ask again; the user's prompt stays. An answer with
        text is kept, marked replaced (on screen, in history and export), out of what the
        model is sent: a stopped answer retried had no way back. An empty one goes."""
        if not self.turns or self.turns[-1].role != "assistant":
            return None
        turn = self.turns[-1]
        if turn.content:
            turn.status = "replaced"
        else:
            self.turns.pop()
        with self._saving():
            if self.store is not None and turn.message_id:
                if turn.content:
                    self.store.update_message(turn.message_id, status="replaced")
                else:
                    self.store.delete_message(turn.message_id)
        return turn

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


def _turn(message: Any) -> Turn:
    return Turn(
        role=message.role,
        content=message.content,
        status=message.status,
        provider=message.provider,
        model=message.model,
        message_id=message.id,
        metrics=message.metrics,
    )
