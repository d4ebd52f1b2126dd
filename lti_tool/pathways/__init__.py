"""Individual professional-development routes (ИПОМ) and the route planner."""
