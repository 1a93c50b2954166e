"""Daily briefings without Discord: what to post (compose), when (schedule), and the
dispatcher that claims, sends and records each delivery exactly once."""
