"""gaib core: config and themes, state, plan/apply engine, hook specs, Discord provider, sandbox."""

from gaib_core.hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl"]
