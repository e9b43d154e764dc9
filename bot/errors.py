"""Problems a user can fix: services raise them, handlers explain them."""


class DomainError(Exception):
    """A problem the user can fix; handlers explain it."""
