"""Problems a user can fix: services raise them, handlers explain them."""


class DomainError(Exception):
    """A problem the user can fix; handlers explain it."""


# Union organizers (bot/services/organizers.py)
class InviteUnknown(DomainError):
    """No organizer invite with this token."""


class InviteExpired(DomainError):
    """The organizer invite is past its expiry; staff must make a new one."""


class InviteUsed(DomainError):
    """The organizer invite was already claimed; each invite works once."""


class AlreadyOrganizer(DomainError):
    """This Telegram account is already linked to an organizer."""


class UnknownUnion(DomainError):
    """No union with this name or short name."""


class UnionExists(DomainError):
    """A union with this name or short name already exists."""


class InvalidName(DomainError):
    """A union or organizer name is empty or too long."""


# Registration answers (bot/services/validators.py, codes.py). Each carries a machine-readable
# `reason` so the handler can say exactly what to fix; none carries what the user typed, since
# errors get logged and a NIK or phone number must never reach the logs.
class InvalidNik(DomainError):
    """Not a possible NIK. `reason`: "length", "characters", "province", "region",
    "birth_date", "future" or "serial"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidPhone(DomainError):
    """Not an Indonesian mobile number. `reason`: "format", "invalid", "country" or
    "not_mobile"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidPersonName(InvalidName):
    """A worker's name that cannot be used. `reason`: "too_short", "too_long", "no_letter" or
    "characters". A subclass of InvalidName, so one `except InvalidName` covers both."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidText(DomainError):
    """A free-text answer (occupation) that cannot be used. `reason`: "too_short", "too_long"
    or "no_letter"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidReferralCode(DomainError):
    """Not a possible referral code. `reason`: "characters" or "length"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
