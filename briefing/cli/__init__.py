"""The command line. ``main.py`` holds the click group and the article commands (make, script,
extract, voices); the commands of the library (publish.py), the daily run and its schedule
(daily.py) and the fleet (fleet.py) are loaded when they are asked for. The CLI only parses, calls
the package and prints."""

from briefing.cli.main import main

__all__ = ["main"]
