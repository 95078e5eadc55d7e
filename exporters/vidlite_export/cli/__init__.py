"""The exporter's `vidlite` commands (export, train, demo).

The runtime's CLI finds them through the ``vidlite.commands`` entry points in pyproject.toml, so the
runtime imports nothing of the exporter. Each module's ``register(subparsers)`` stays light; the export
toolchain (torch, converters) is imported inside the command's ``run``.
"""
