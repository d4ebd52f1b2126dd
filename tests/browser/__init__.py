"""Browser end-to-end tests (headless Chromium against the demo LMS and the tool)."""
