"""The landing page after a launch, and the language switch."""
