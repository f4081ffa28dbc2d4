"""``python -m zjtx_cli`` and the ``zjtx`` console script."""

from __future__ import annotations


def main():
    from .cli import main as _main

    _main()


if __name__ == "__main__":
    main()
