"""Errors raised by pure domain code."""


class InvalidRecord(ValueError):
    """A record from a feed that cannot become a domain object; `reason` says why, for quarantine."""

    def __init__(self, reason: str, kind: str = "", record_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.record_id = record_id
