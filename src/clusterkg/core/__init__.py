"""The small core every other layer builds on: settings, namespaces, bundled resources, store access."""
