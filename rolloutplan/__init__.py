"""rolloutplan: lint Kubernetes manifests and plan Deployment rollouts offline."""

from __future__ import annotations

__version__ = "0.1.0"
