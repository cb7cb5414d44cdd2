"""peace-talks-kg: a knowledge graph of the 2025 US-brokered Russia–Ukraine peace efforts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("peace-talks-kg")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
