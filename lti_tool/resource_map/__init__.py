"""The municipal resource map of methodological support (МРКМП): who offers support on what."""
