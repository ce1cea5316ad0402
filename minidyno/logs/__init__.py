"""The log bus: one ordered stream per app of every dyno, router and platform line."""
