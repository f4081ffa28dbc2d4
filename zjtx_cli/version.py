"""The zjtx version (read by the build, ``zjtx --version`` and the rule cache's key)."""

__version__ = "0.1.0"
