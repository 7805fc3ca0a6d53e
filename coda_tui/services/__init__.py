"""The application layer between screens and providers: no Textual here.

Screens, the CLI and scripts ask these for what every one of them needs the same way (so far, the
model catalog); providers, config and store below never import them.
"""

from .catalog import DISCOVERY_TIMEOUT, Listing, ModelCatalog

__all__ = ["DISCOVERY_TIMEOUT", "Listing", "ModelCatalog"]
