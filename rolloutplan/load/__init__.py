"""Loading: bytes -> text -> YAML documents -> Kubernetes object documents."""
