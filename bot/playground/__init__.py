"""The real bot against the built-in Discord emulator, in one process: what the playground,
the end-to-end tests and the benchmarks start."""
