"""Plain records shared by every stage: sources, locations, findings and Kubernetes objects."""
