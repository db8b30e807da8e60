"""Analyses across objects: Service reachability, rollout risks."""
