"""SQLite state: apps, releases, config vars, formation. The source of truth for what
should run; Docker labels are the truth for what does."""
