"""Files and images sent with a prompt: found (the project's files, as git would list them),
read, checked against the model (its context, whether it takes images), and put into the
request. History keeps them by path and SHA-256 (``store.Attachment``); a chat sent again
reads each file again and says when it changed or is gone.

A text file goes as context: a fenced block before the prompt, naming the file. An image goes
in the message's ``images`` (each provider puts it in its API's own shape).
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from ..providers import ImagePart, Message, Model
from ..providers.models import ImageType
from ..store import Attachment
from ..store.export import fence_for

MAX_TEXT_BYTES = 2_000_000
"""A text file bigger than this (about 500,000 tokens) is more than any model's context."""
MAX_IMAGE_BYTES = 20_000_000
"""OpenAI's limit for an image; Ollama and OCI take less, and say so."""
CHARS_PER_TOKEN = 4
"""The usual estimate for English text and code (OpenAI's rule of thumb): a guide, not a count."""
SNIFF_BYTES = 8_000
"""As git does: a NUL byte in the first 8,000 bytes makes a file binary."""
MAX_LISTED = 20_000
"""Files the picker lists at most: a home directory would otherwise take minutes."""
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})
TEXT_SUFFIXES = frozenset(
    ".py .pyi .md .rst .txt .toml .yaml .yml .json .jsonl .cfg .ini .sh .bash .zsh .fish .js .mjs"
    " .cjs .ts .tsx .jsx .html .htm .css .scss .c .h .cc .cpp .hpp .rs .go .java .kt .rb .php"
    " .sql .xml .csv .tsv .lua .swift .r .tex .log .env .tcss .svg .vue .dart .ex .exs .el .vim"
    " .proto .graphql .dockerfile .mk .cmake .gradle .lock".split()
)
"""Read as text without opening them: the picker lists a big tree in a fraction of the time."""
BINARY_SUFFIXES = frozenset(
    ".pyc .pyo .so .dylib .dll .exe .o .a .lib .class .jar .whl .zip .gz .tgz .bz2 .xz .zst .7z"
    " .tar .rar .pdf .gif .ico .bmp .tiff .mp3 .mp4 .mov .avi .wav .flac .ogg .woff .woff2 .ttf"
    " .otf .eot .db .sqlite .sqlite3 .bin .dat .pkl .npy .npz .pt .onnx .gguf .safetensors".split()
)
"""Left out without opening them; other files are read (8,000 bytes) to tell."""
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})

_IMAGE_MAGIC: tuple[tuple[bytes, ImageType], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class AttachmentError(Exception):
    """A file that cannot be attached, and why, in words for the user."""


def image_type(head: bytes) -> ImageType | None:
    """PNG, JPEG or WebP from the file's first bytes (its name may say otherwise)."""
    for magic, media_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_binary(head: bytes) -> bool:
    return b"\0" in head[:SNIFF_BYTES]


def estimate_tokens(characters: int) -> int:
    """Tokens in about ``characters`` characters of text, rounded up; at least one."""
    return max(1, -(-characters // CHARS_PER_TOKEN))


def attach(path: Path | str) -> Attachment:
    """Read ``path`` once to describe it (kind, size, digest, token estimate); refuses
    directories, binaries that are not PNG/JPEG/WebP, and files too big to send."""
    where = Path(path).expanduser().resolve()
    try:
        if not where.is_file():
            raise AttachmentError(f"{where} is not a file")
        size = where.stat().st_size
        if size > max(MAX_TEXT_BYTES, MAX_IMAGE_BYTES):
            raise AttachmentError(f"{where.name} is {_mb(size)}: too big to send")
        data = where.read_bytes()
    except OSError as exc:
        raise AttachmentError(f"{where} cannot be read: {exc.strerror or exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    media_type = image_type(data[:16])
    if media_type is not None:
        if len(data) > MAX_IMAGE_BYTES:
            raise AttachmentError(f"{where.name} is {_mb(len(data))}; images go up to 20 MB")
        return Attachment("image", str(where), media_type, len(data), digest)
    if is_binary(data):
        raise AttachmentError(
            f"{where.name} is a binary file: text files and PNG, JPEG or WebP images can be "
            "attached"
        )
    if len(data) > MAX_TEXT_BYTES:
        raise AttachmentError(
            f"{where.name} is {_mb(len(data))}; text files go up to 2 MB (about 500,000 "
            "tokens, more than any model reads): attach a part of it"
        )
    text = data.decode("utf-8", errors="replace")
    kind = mimetypes.guess_type(where.name)[0] or "text/plain"
    media = kind if kind.startswith("text/") else "text/plain"
    return Attachment("file", str(where), media, len(data), digest, estimate_tokens(len(text)))


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


# -- what the model is sent ---------------------------------------------------------------------


@dataclass
class Loaded:
    """An attachment read again for a request: the text or image, and what changed since."""

    text: str | None = None
    image: ImagePart | None = None
    note: str = ""


def load(attachment: Attachment) -> Loaded:
    """The file as it is now. A changed file is sent as it is now, a missing one as a line
    saying so; either way ``note`` says it, for the user."""
    try:
        data = Path(attachment.path).read_bytes()
    except OSError:
        return Loaded(note=f"{attachment.name} is no longer at {attachment.path}")
    note = ""
    if hashlib.sha256(data).hexdigest() != attachment.digest:
        note = f"{attachment.name} changed since it was attached: it is sent as it is now"
    if attachment.kind == "image":
        media_type = image_type(data[:16])
        if media_type is None:
            return Loaded(note=f"{attachment.name} is no longer an image")
        return Loaded(image=ImagePart(media_type=media_type, data=_base64(data)), note=note)
    return Loaded(text=data.decode("utf-8", errors="replace"), note=note)


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def context_block(attachment: Attachment, text: str | None) -> str:
    """How a file goes to the model: its path, then its text in a fence."""
    if text is None:
        return f"(The file {attachment.path} was attached here; it is no longer on disk.)"
    fence = fence_for(text)
    return f"File {attachment.path}:\n\n{fence}\n{text.rstrip(chr(10))}\n{fence}"


@dataclass
class Request:
    """The user message with its attachments, and notes for the user (files changed or gone)."""

    message: Message
    notes: list[str] = field(default_factory=list)


def user_message(text: str, attachments: Iterable[Attachment]) -> Request:
    """The files first, each in its block, then the prompt; images beside the text."""
    blocks: list[str] = []
    images: list[ImagePart] = []
    notes: list[str] = []
    for attachment in attachments:
        loaded = load(attachment)
        if loaded.note:
            notes.append(loaded.note)
        if attachment.kind == "image":
            if loaded.image is not None:
                images.append(loaded.image)
        else:
            blocks.append(context_block(attachment, loaded.text))
    content = "\n\n".join([*blocks, text]) if blocks else text
    return Request(Message(role="user", content=content, images=images or None), notes)


# -- checks before sending ----------------------------------------------------------------------


def takes_images(model: Model | None) -> bool | None:
    """True or False when the provider says; None when it cannot tell."""
    if model is None or not model.capabilities_known:
        return None
    return "vision" in model.capabilities


def vision_refusal(
    model: Model | None, attachments: Iterable[Attachment], models: Iterable[Model]
) -> str | None:
    """Why ``model`` cannot be sent these images, naming one that can (of the same provider
    first); None when it can, or cannot be told (the server then answers for itself)."""
    if not any(a.kind == "image" for a in attachments) or takes_images(model) is not False:
        return None
    model = cast("Model", model)
    able = sorted(
        (m for m in models if "vision" in m.capabilities),
        key=lambda m: (m.provider != model.provider, m.provider, m.id),
    )
    other = f"{able[0].provider} · {able[0].id} does" if able else "no model listed here does"
    return f"{model.id} takes no images; {other}"


def context_refusal(
    model: Model | None, attachments: Iterable[Attachment], chat_tokens: int = 0
) -> str | None:
    """Why these files do not fit ``model``'s context (from the catalog), or None."""
    if model is None or not model.context_length:
        return None
    limit = model.context_length
    files = [a for a in attachments if a.kind == "file"]
    for attachment in files:
        if attachment.tokens > limit:
            return (
                f"{attachment.name} is about {attachment.tokens:,} tokens; {model.id} reads "
                f"{limit:,} in all. Attach a part of it, or choose a model with a longer context"
            )
    total = sum(a.tokens for a in files)
    if files and total + chat_tokens > limit:
        return (
            f"The files (about {total:,} tokens) and this chat (about {chat_tokens:,}) pass "
            f"{model.id}'s context of {limit:,} tokens: attach fewer, or start a new chat"
        )
    return None


# -- the project's files, for the picker ----------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A file the picker offers: its path from the working directory, size, and kind."""

    path: str
    size: int
    image: bool = False

    @property
    def tokens(self) -> int:
        return 0 if self.image else estimate_tokens(self.size)


def project_files(root: Path, limit: int = MAX_LISTED) -> tuple[list[Candidate], bool]:
    """Text files and images under ``root``, as git would see them: what a ``.gitignore``
    (at any level) leaves out is left out, and so are binaries (known by their suffix, or
    else by a NUL byte in the first 8,000 bytes, as git decides) other than images. An image
    is known by its suffix here, and by its bytes when attached. Files in a directory come
    before those in its subdirectories. True with the list when ``limit`` cut it."""
    from pathspec import GitIgnoreSpec

    found: list[Candidate] = []
    root = root.resolve()

    def ignored(path: str, is_dir: bool, specs: list[tuple[str, GitIgnoreSpec]]) -> bool:
        """As git decides: the deepest .gitignore with a rule for the path (``!keep.log``
        takes back a ``*.log`` above it)."""
        for base, spec in reversed(specs):
            relative = os.path.relpath(path, base).replace(os.sep, "/")
            verdict = spec.check_file(relative + "/" if is_dir else relative).include
            if verdict is not None:
                return verdict
        return False

    def walk(directory: str, specs: list[tuple[str, GitIgnoreSpec]]) -> bool:
        rules = os.path.join(directory, ".gitignore")
        if os.path.isfile(rules):
            try:
                with open(rules, encoding="utf-8", errors="replace") as file:
                    specs = [*specs, (directory, GitIgnoreSpec.from_lines(file))]
            except OSError:
                pass
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            return False
        subdirectories = []
        for entry in entries:
            if entry.name in SKIPPED_DIRS:
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                if not is_dir and not entry.is_file():
                    continue
                if ignored(entry.path, is_dir, specs):
                    continue
                if is_dir:
                    subdirectories.append(entry.path)
                    continue
                if len(found) >= limit:
                    return True
                suffix = os.path.splitext(entry.name)[1].lower()
                image = suffix in IMAGE_SUFFIXES
                if suffix in BINARY_SUFFIXES:
                    continue
                if not image and suffix not in TEXT_SUFFIXES:
                    with open(entry.path, "rb") as file:
                        head = file.read(SNIFF_BYTES)
                    image = image_type(head) is not None
                    if is_binary(head) and not image:
                        continue
                relative = os.path.relpath(entry.path, root).replace(os.sep, "/")
                found.append(Candidate(relative, entry.stat().st_size, image))
            except OSError:
                continue
        return any(walk(path, specs) for path in subdirectories)

    cut = walk(str(root), [])
    return found, cut
