"""Validation of objects against the bundled Kubernetes schemas."""
