"""Full-text search for Olke: Kazakh and Russian text analysis for the Whoosh index."""
