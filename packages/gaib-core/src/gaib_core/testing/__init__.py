"""Test helpers gaib ships for its own suite and for plugin authors.

``gaib_core.testing.fixtures`` is a pytest plugin (enable it with
``pytest_plugins = ["gaib_core.testing.fixtures"]``) providing a real sandbox server on loopback.
"""
