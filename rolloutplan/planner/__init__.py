"""The rollout planner: the Deployment controller's decisions, replayed offline."""
