"""Everything that imports discord: the typed bot class, its error reporter, command sync,
rendering to Discord's limits, briefing delivery over Discord's API, health, metrics and
logging set-up. The core packages beside it never import this package."""
