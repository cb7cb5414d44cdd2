"""peace-talks-kg: a knowledge graph of the 2025 US-brokered Russia–Ukraine peace efforts.

The Python API (kg.api) is imported on first use, so that `kg --help` stays fast:

    import kg
    data = kg.open()            # the built dataset (run `kg build` first)
    data.query("who-rejected-the-us-peace-plan").to_pandas()
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("peace-talks-kg")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from kg.api import Dataset, Passage, Result, Source
    from kg.api import open_dataset as open
    from kg.problems import KgError

# public name -> (module, attribute)
_API = {"open": ("kg.api", "open_dataset"), "Dataset": ("kg.api", "Dataset"), "Result": ("kg.api", "Result"),
        "Passage": ("kg.api", "Passage"), "Source": ("kg.api", "Source"), "KgError": ("kg.problems", "KgError")}
__all__ = ["Dataset", "KgError", "Passage", "Result", "Source", "__version__", "open"]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    from importlib import import_module

    module, attribute = _API[name]
    return getattr(import_module(module), attribute)
