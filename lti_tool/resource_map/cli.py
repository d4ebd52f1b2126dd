"""Command-line entry points contributed by the resource map: the `flask demo` group."""
from ..demo_data import demo

commands = [demo]
