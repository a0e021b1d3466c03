"""Speech output: engines in priority order, each with available/speak/stop."""
