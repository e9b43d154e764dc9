"""FAQ knowledge base with sources and review dates."""
