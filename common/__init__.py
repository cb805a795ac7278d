"""Haoban's core: domain model, queue policy, events, persistence. No Qt, no web framework."""
