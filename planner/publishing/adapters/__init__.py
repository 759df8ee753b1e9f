"""Concrete channel publishers; only the application factory picks and builds them.

Each adapter implements `planner.publishing.ports.Publisher`, takes a plain settings dataclass and
talks to user-supplied hosts only through `planner.publishing.outbound`.
"""
