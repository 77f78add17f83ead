"""Test helpers shared by several test packages (fault injection with real processes)."""
