"""`python -m lti_tool.demo_region [options]`: `flask demo region` without the flask command line."""
from __future__ import annotations

from .. import create_app
from .cli import region_command

if __name__ == "__main__":
    with create_app().app_context():
        region_command(prog_name="python -m lti_tool.demo_region")
