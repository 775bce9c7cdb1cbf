"""Collaboration networks derived from the facts: ties, metrics, the computed graph and exports.

Sits on the core (settings, store access, namespaces) and below the loader, which recomputes the
computed graph after every committed load.
"""

from clusterkg.network.computed import NetworkRun, recompute_network

__all__ = ["NetworkRun", "recompute_network"]
