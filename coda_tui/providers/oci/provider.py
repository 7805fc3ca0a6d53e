"""OCI Generative AI through the ``oci`` SDK: Cohere, Meta Llama, xAI Grok, OpenAI and Google
models in an Oracle Cloud tenancy.

The SDK is blocking and heavy, so it is imported on first use and every call runs on a thread; a
stream's events cross to the event loop through a queue and are handed over in batches. Retries
are short (an interactive user is waiting; the SDK's default retries for up to 600 s) and the
SDK's process-wide circuit breaker is off: one bad model must not block every later request.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

from ..base import BaseProvider, ChatRequest
from ..errors import (
    AuthenticationError,
    ConfigurationError,
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitError,
)
from ..models import ChatCompletion, ChatCompletionChunk, Model
from ..streaming import CompletionAccumulator, Inbox
from .catalog import ModelCache, model_from_summary, newest_per_name
from .events import EventDecoder, Piece
from .requests import chat_request, is_cohere, read_response
from .settings import OCIGenAISettings

USAGE_GRACE = 0.25
"""Seconds to wait after the finish event for the usage event that may follow it (the service
sends it straight after; a stream without one ends this much later)."""
IAM_POLICY = "Allow group <your-group> to use generative-ai-family in compartment <compartment>"


def release(stream: Any) -> None:
    """End a reader thread's blocked read on an SDK event stream at once.

    ``SSEClient.close()`` waits for the lock the reading thread holds until its read returns,
    which a server that holds the connection silently delays until the read timeout. Shutting
    the socket down from here makes that read return now; the reader then closes the stream.
    """
    response = getattr(stream, "_event_source", None)  # the SDK's SSEClient over a Response
    raw = getattr(response, "raw", None)
    connection = getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:  # urllib3 released the connection: reach the socket through the body
        sock = getattr(
            getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None), "_sock", None
        )
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            # The plain socket's shutdown, also for TLS: SSLSocket's would drop its SSL object
            # under the reader.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class OCIGenAIProvider(BaseProvider):
    provider_type: ClassVar[str] = "oci_genai"
    Settings = OCIGenAISettings
    env_vars = {
        "compartment_id": "OCI_COMPARTMENT_ID",
        "profile": "OCI_CLI_PROFILE",
        "config_file": "OCI_CLI_CONFIG_FILE",
        "region": "OCI_CLI_REGION",
    }
    settings: OCIGenAISettings

    def __init__(self, *, name: str | None = None, **settings: Any) -> None:
        super().__init__(name=name, **settings)
        self._clients: tuple[Any, Any] | None = None
        self._lock = threading.Lock()
        self._listing = threading.Lock()

    # -- setup ------------------------------------------------------------------------------------

    @property
    def compartment_id(self) -> str:
        if not self.settings.compartment_id:
            raise ConfigurationError(
                "no compartment to use",
                provider=self.name,
                hint=f'set compartment_id = "ocid1.compartment..." in [providers.{self.name}], '
                "or export OCI_COMPARTMENT_ID",
            )
        return self.settings.compartment_id

    def oci_config(self) -> dict[str, Any]:
        """The profile from the OCI config file, checked, with our region override applied."""
        import oci

        path = Path(self.settings.config_file).expanduser()
        fix = f"run `oci setup config`, or set config_file in [providers.{self.name}]"
        if not path.is_file():
            raise ConfigurationError(
                f"OCI config file {path} not found", provider=self.name, hint=fix
            )
        try:
            config: dict[str, Any] = oci.config.from_file(str(path), self.settings.profile)
            if self.settings.region:
                config["region"] = self.settings.region
            oci.config.validate_config(config)
        except oci.exceptions.ProfileNotFound:
            raise ConfigurationError(
                f"profile [{self.settings.profile}] is not in {path}",
                provider=self.name,
                hint="set profile to one of the [SECTION] names in that file",
            ) from None
        except (oci.exceptions.ClientError, ValueError) as exc:
            raise ConfigurationError(
                f"OCI config {path} [{self.settings.profile}]: {exc}", provider=self.name, hint=fix
            ) from None
        return config

    def clients(self) -> tuple[Any, Any]:
        """(inference, management) SDK clients, built once; call from a worker thread."""
        with self._lock:
            if self._clients is None:
                self._clients = self._build_clients()
            return self._clients

    def _build_clients(self) -> tuple[Any, Any]:
        import oci
        from oci.generative_ai import GenerativeAiClient
        from oci.generative_ai_inference import GenerativeAiInferenceClient

        config = self.oci_config()
        timeout = self.settings.timeout
        options: dict[str, Any] = {
            "timeout": (min(10.0, timeout), timeout),
            "retry_strategy": self.retry_strategy(),
            "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
        }
        inference_options, management_options = dict(options), dict(options)
        if self.settings.endpoint:
            endpoint = self.settings.endpoint.rstrip("/")
            inference_options["service_endpoint"] = endpoint
            management_options["service_endpoint"] = endpoint.replace("://inference.", "://")
        inference = GenerativeAiInferenceClient(config, **inference_options)
        management = GenerativeAiClient(config, **management_options)
        return inference, management

    def retry_strategy(self) -> Any:
        import oci

        if self.settings.max_attempts <= 1:
            return oci.retry.NoneRetryStrategy()
        return oci.retry.RetryStrategyBuilder(
            max_attempts_check=True,
            max_attempts=self.settings.max_attempts,
            total_elapsed_time_check=True,
            total_elapsed_time_seconds=min(30, int(self.settings.timeout)),
            retry_max_wait_between_calls_seconds=4,
            retry_base_sleep_time_seconds=1,
            service_error_check=True,
            service_error_retry_on_any_5xx=True,
            service_error_retry_config={429: []},
            backoff_type=oci.retry.BACKOFF_FULL_JITTER_EQUAL_ON_THROTTLE_VALUE,
        ).get_retry_strategy()

    def _details(self, request: ChatRequest, stream: bool) -> Any:
        from oci.generative_ai_inference import models as m

        return m.ChatDetails(
            compartment_id=self.compartment_id,
            serving_mode=m.OnDemandServingMode(model_id=request.model),
            chat_request=chat_request(request, stream),
        )

    # -- errors -----------------------------------------------------------------------------------

    def error(self, exc: BaseException, model: str | None = None, partial: str = "") -> Exception:
        """Any SDK or transport failure as one of our errors, with the fix."""
        import oci
        from oci._vendor.requests.exceptions import RequestException as TransportError

        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, oci.exceptions.ServiceError):
            return self._service_error(exc, model)
        if isinstance(exc, oci.exceptions.ConnectTimeout | oci.exceptions.RequestException):
            return ProviderConnectionError(
                f"could not reach OCI Generative AI: {type(exc).__name__}",
                provider=self.name,
                partial_text=partial,
                hint="check the region/endpoint and your network",
            )
        if isinstance(exc, OSError | TransportError):
            return ProviderConnectionError(
                f"connection to OCI Generative AI was cut ({type(exc).__name__})",
                provider=self.name,
                partial_text=partial,
            )
        return exc if isinstance(exc, Exception) else ProviderError(str(exc), provider=self.name)

    def _service_error(self, exc: Any, model: str | None) -> ProviderError:
        status, code, message = exc.status, str(exc.code), str(exc.message)
        profile = f"profile [{self.settings.profile}] of {self.settings.config_file}"
        if status == 401:
            return AuthenticationError(
                f"OCI rejected the signature of {profile} ({code})",
                provider=self.name,
                status_code=status,
                hint="check user, fingerprint and key_file in that profile "
                "(`oci setup repair-file-permissions`, `oci iam region list` to test)",
            )
        if status == 404 and code == "NotAuthorizedOrNotFound":
            return AuthenticationError(
                f"not authorized, or not found: {message}",
                provider=self.name,
                status_code=status,
                hint=f"with {profile}, the compartment needs a policy such as `{IAM_POLICY}`; "
                "also check that the model is offered in this region",
            )
        if status == 404 or (status == 400 and "not found" in message.lower()):
            return ModelNotFoundError(
                message,
                model=model,
                provider=self.name,
                status_code=status,
                hint="pick a model from the Models list (F3) for this region",
            )
        if status == 429:
            return RateLimitError(message, provider=self.name, status_code=status)
        if status >= 500:
            return ProviderConnectionError(
                f"OCI Generative AI failed: {message} ({status} {code})",
                provider=self.name,
                hint="try again in a moment",
            )
        return ProviderError(f"{message} ({status} {code})", provider=self.name, status_code=status)

    # -- chat -------------------------------------------------------------------------------------

    async def _complete(self, request: ChatRequest) -> ChatCompletion:
        def call() -> Any:
            try:
                inference, _ = self.clients()
                return inference.chat(self._details(request, False)).data
            except Exception as exc:
                raise self.error(exc, request.model) from None

        result = await asyncio.to_thread(call)
        text, calls, finish, usage = read_response(result.chat_response)
        accumulator = CompletionAccumulator(model=request.model, provider=self.name)
        accumulator.add(
            self.chunk(request.model, text, tool_calls=calls, finish_reason=finish, usage=usage)
        )
        return accumulator.result()

    async def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        inbox: Inbox[tuple[str, Any]] = Inbox(asyncio.get_running_loop())
        stop = threading.Event()
        opened: list[Any] = []

        def post(kind: str, value: Any = None) -> None:
            inbox.put((kind, value))

        def read() -> None:
            import oci

            try:
                inference, _ = self.clients()
                details = self._details(request, True)
                response = inference.chat(details, retry_strategy=oci.retry.NoneRetryStrategy())
                data = response.data
                if not hasattr(data, "events"):  # answered as JSON, not as a stream
                    post("whole", data)
                    return
                opened.append(data)
                try:
                    for event in data.events():
                        if stop.is_set():
                            return
                        post("data", event.data)
                finally:  # here, not on the loop: closing waits for this thread's read
                    with contextlib.suppress(Exception):
                        data.close()
                post("end")
            except BaseException as exc:
                if not stop.is_set():
                    post("error", exc)

        decoder = EventDecoder(cohere=is_cohere(request.model))
        text: list[str] = []
        thread = threading.Thread(target=read, name=f"oci-stream-{self.name}", daemon=True)
        thread.start()
        try:
            while not decoder.done:
                try:
                    batch = await inbox.take(USAGE_GRACE if decoder.finished else None)
                except TimeoutError:
                    return  # finished, and no usage came: the live service may never close
                piece, ended, failure = self._fold(batch, decoder)
                text.append(piece.text)
                if piece.text or piece.tool_calls or piece.finish_reason or piece.usage:
                    yield self.chunk(
                        request.model,
                        piece.text or None,
                        tool_calls=piece.tool_calls or None,
                        finish_reason=piece.finish_reason,
                        usage=piece.usage,
                    )
                if failure is not None:  # after handing over what came before it
                    raise self.error(failure, request.model, "".join(text))
                if ended:
                    if decoder.finished:
                        return
                    raise ProviderConnectionError(
                        "OCI ended the stream before the answer was finished",
                        provider=self.name,
                        partial_text="".join(text),
                    )
        finally:
            stop.set()
            for stream in opened:  # the service may hold the socket open, silent, after the end
                release(stream)

    def _fold(
        self, batch: list[tuple[str, Any]], decoder: EventDecoder
    ) -> tuple[Piece, bool, BaseException | None]:
        """Everything that arrived together as one piece; whether the stream ended; its error."""
        folded = Piece()
        for kind, value in batch:
            if kind == "error":
                return folded, True, value
            if kind == "end":
                return folded, True, None
            if kind == "whole":
                text, calls, finish, usage = read_response(value.chat_response)
                decoder.finished = decoder.has_usage = True
                return Piece(text, calls, finish, usage), True, None
            decoder.feed(value, into=folded)
        return folded, False, None

    # -- models -----------------------------------------------------------------------------------

    async def alist_models(self, *, refresh: bool = False) -> list[Model]:
        return await asyncio.to_thread(self._list_models, refresh)

    def _list_models(self, refresh: bool) -> list[Model]:
        """One listing at a time: a second caller waits and then reads the fresh cache."""
        import oci

        settings = self.settings
        cache = ModelCache(
            (
                settings.config_file,
                settings.profile,
                settings.region or "",
                self.compartment_id,
                settings.endpoint or "",
            )
        )
        with self._listing:
            cached = None if refresh else cache.load(settings.models_cache_ttl)
            if cached is not None:
                return [m.model_copy(update={"provider": self.name}) for m in cached]
            try:
                _, management = self.clients()
                summaries = oci.pagination.list_call_get_all_results(
                    management.list_models,
                    compartment_id=self.compartment_id,
                    capability=["CHAT"],
                    lifecycle_state="ACTIVE",
                ).data
            except Exception as exc:
                raise self.error(exc) from None
            models = newest_per_name([model_from_summary(s, self.name) for s in summaries])
            cache.save(models)
            return models
