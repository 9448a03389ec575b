"""gaib-core's own plugins: the Discord provider, the sandbox provider and the state backends.

They register through the same hooks a third-party plugin uses.
"""

from __future__ import annotations
