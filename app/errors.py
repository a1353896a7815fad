"""The app's errors: each says what is wrong and what to do; the CLI and the UI turn them into messages."""

from __future__ import annotations

from calculators.errors import KbqaError


class QuestionError(KbqaError, ValueError):
    """A question that cannot be answered as asked (empty, too long)."""
