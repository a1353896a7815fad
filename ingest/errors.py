"""The ingest error vocabulary: each error says what, where, and what to do."""

from __future__ import annotations


from calculators.errors import KbqaError  # noqa: F401  (the one root error class, re-exported)


class NoteError(KbqaError):
    """A single note cannot be read; ingest reports it and skips the file."""

    def __init__(self, file: str, reason: str):
        self.file = file
        self.reason = reason
        super().__init__(f"{file}: {reason}")


class NoteTooLarge(NoteError):
    pass


class NoteEmpty(NoteError):
    pass


class NoteBinary(NoteError):
    pass


class NoteUnreadable(NoteError):
    """Permission denied, undecodable, or otherwise not readable."""


class KbNotFound(KbqaError, FileNotFoundError):
    def __init__(self, path: str):
        self.path = path
        super().__init__(f"notes folder not found: {path} (pass --kb DIR or set KBQA_KB)")


class EmptyKb(KbqaError, ValueError):
    def __init__(self, path: str):
        self.path = path
        super().__init__(f"no readable .txt or .md notes in {path}")


class StaleIndex(KbqaError):
    """The index on disk was built with other settings; it must be rebuilt."""

    def __init__(self, path: str, differences: list[str]):
        self.path = path
        self.differences = differences
        super().__init__(
            f"index at {path} does not match the settings ({'; '.join(differences)}); "
            "run `kbqa ingest` to rebuild it"
        )


class IndexMissing(KbqaError, FileNotFoundError):
    def __init__(self, path: str):
        self.path = path
        super().__init__(f"no index at {path}; run `kbqa ingest` first")


class SettingsError(KbqaError, ValueError):
    """A setting (a KBQA_ variable or a keyword) is unknown or has a bad value."""


class UnknownSetting(SettingsError):
    """KBQA_ variables that name no setting; each problem names the closest setting."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class DamagedIndex(KbqaError):
    """The index on disk is incomplete or corrupt (a file missing, truncated or changed since it was
    built); `kbqa ingest` rebuilds it without trusting any of its vectors."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"the index at {path} is damaged ({reason}); run `kbqa ingest` to rebuild it")
