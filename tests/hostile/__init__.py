"""Hostile and broken input, end to end: engine, CLI, TUI (Pilot) and the real terminal (tmux)."""
