"""The web pages: the built-in UI's templates (`pages`), installable third-party UIs (`bundle`) and
how either is served (`serving`)."""
