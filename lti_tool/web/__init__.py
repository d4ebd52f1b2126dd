"""Request plumbing every view shares: the actor and role checks, extensions, error pages, page
furniture (CSP, navigation), the locale, and the registry of placeable things. Imports no area."""
