"""OCI Generative AI through the ``oci`` SDK (imported on first use only)."""

from collections.abc import Mapping
from pathlib import Path

from ..spec import MODEL, TIMEOUT, Detected, FormField, ProviderKind, ProviderSpec
from .settings import OCIGenAISettings


def _oci_config(environ: Mapping[str, str]) -> Detected:
    name = environ.get("OCI_CLI_CONFIG_FILE") or "~/.oci/config"
    if Path(name).expanduser().is_file():
        return Detected(f"{name} found", True)
    return Detected(f"no {name} (run `oci setup config`)", False)


SPEC = ProviderSpec(
    "oci_genai",
    OCIGenAISettings,
    "coda_tui.providers.oci.provider:OCIGenAIProvider",
    kinds=(
        ProviderKind(
            "oci",
            "OCI Generative AI",
            "oci_genai",
            "meta.llama-3.3-70b-instruct",
            docs="https://docs.oracle.com/iaas/Content/generative-ai/home.htm",
            fields=(
                FormField("config_file", "OCI config file", "~/.oci/config"),
                FormField("profile", "Profile", "DEFAULT"),
                FormField("compartment_id", "Compartment OCID (or ${OCI_COMPARTMENT_ID})"),
                FormField("region", "Region (else the profile's)", "us-chicago-1"),
                FormField("endpoint", "Endpoint (dedicated or private; else from the region)"),
                MODEL,
                TIMEOUT,
            ),
            detect=_oci_config,
        ),
    ),
)
