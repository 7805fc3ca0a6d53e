"""Files and images with the next prompt: ``@`` where a word starts opens the file picker, a
pasted or dropped path attaches that file, and the chips above the prompt show what goes. The
checks happen before anything is sent: a file too big for the model's context, or an image for
a model that takes none (naming one that does), is refused, and the prompt and its chips stay.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..widgets.attachment_bar import AttachmentBar
from ..widgets.prompt import PromptInput

if TYPE_CHECKING:
    from ...services.attachments import Candidate
    from ...store import Attachment
    from .chat import ChatScreen

    _Base = ChatScreen
else:
    _Base = object

MODEL_KEY = "Ctrl+O chooses another model"


class ChatAttachments(_Base):
    """Mixed into the chat screen."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Attachment] = []
        """What goes with the next prompt."""

    @property
    def attachment_bar(self) -> AttachmentBar:
        return self.query_one("#attachments", AttachmentBar)

    # Handlers by name, not @on: this is a mixin, and @on needs a Textual class.
    def on_prompt_input_attach_wanted(self, event: PromptInput.AttachWanted) -> None:
        self.action_attach_file()

    def action_attach_file(self) -> None:
        """The file picker over the working directory; Esc types the ``@`` after all."""
        from .file_picker import FilePickerScreen

        root = Path.cwd()

        def chosen(candidate: Candidate | None) -> None:
            if candidate is None:
                self.query_one("#prompt", PromptInput).insert("@")
                return
            self.attach_paths([root / candidate.path])

        self.app.push_screen(FilePickerScreen(root), chosen)

    def on_prompt_input_paths_pasted(self, event: PromptInput.PathsPasted) -> None:
        self.attach_paths(event.paths)

    def attach_paths(self, paths: list[Path]) -> None:
        """Attach each file, or say why not (one note per refusal; the others are kept)."""
        from ...services.attachments import AttachmentError, attach, context_refusal

        model = self.models.get((self.session.provider, self.session.model))
        for path in paths:
            try:
                attachment = attach(path)
            except AttachmentError as exc:
                self.notify(str(exc), severity="error", timeout=10)
                continue
            if any(
                a.digest == attachment.digest and a.path == attachment.path for a in self.pending
            ):
                continue
            refusal = context_refusal(model, [attachment])
            if refusal:
                self.notify(refusal, severity="error", timeout=15)
                continue
            self.pending.append(attachment)
        self.attachment_bar.show(self.pending)

    def action_remove_attachment(self, index: int = -1) -> None:
        if not self.pending:
            return
        removed = self.pending.pop(index)
        self.attachment_bar.show(self.pending)
        self.notify(f"Not sending {removed.name}", timeout=3)

    def on_prompt_input_empty_backspace(self, event: PromptInput.EmptyBackspace) -> None:
        self.action_remove_attachment(-1)

    def action_clear_attachments(self) -> None:
        self.pending.clear()
        self.attachment_bar.show(self.pending)

    async def attachment_refusal(self) -> str | None:
        """Why the pending attachments cannot go to the chat's model, or None. The model is
        described first where its provider tells capabilities one model at a time (Ollama)."""
        if not self.pending:
            return None
        from ...services.attachments import CHARS_PER_TOKEN, context_refusal, vision_refusal

        catalog = self.coda.catalog
        model = await catalog.described(self.session.provider, self.session.model)
        if model is not None:
            self.models[(model.provider, model.id)] = model
        said = sum(len(turn.content) for turn in self.session.turns) // CHARS_PER_TOKEN
        refusal = vision_refusal(model, self.pending, catalog.known())
        refusal = refusal or context_refusal(model, self.pending, said)
        return f"{refusal} ({MODEL_KEY})" if refusal else None

    def taken_attachments(self) -> list[Attachment]:
        """The pending attachments, for the prompt being sent; the chips go."""
        taken, self.pending = self.pending, []
        self.attachment_bar.show(self.pending)
        return taken
