"""The one exception type users see. The CLI turns it into a one-line message and an exit code."""

# Done, but not all of it: some articles (`make`), sources (`daily`) or channels (`fleet`) failed,
# each named on standard error.
EXIT_PARTLY_DONE = 3


class BriefingError(Exception):
    """A problem the user can fix: bad input, a missing engine, a broken library.

    ``exit_code`` follows click's convention: 2 for usage errors, 1 for runtime failures.
    """

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(BriefingError):
    """The article (file, URL, standard input) cannot be read or parsed."""

    exit_code = 1


class UsageError(BriefingError):
    """Options that do not fit together or name something that does not exist."""

    exit_code = 2


class LibraryBusy(BriefingError):
    """Another process holds the library lock: try again later."""

    exit_code = 75  # sysexits.h EX_TEMPFAIL


class NothingToBrief(BriefingError):
    """``daily`` made no episode: nothing new to read, every source failed, or rendering failed."""

    exit_code = 1


class QuietDay(NothingToBrief):
    """``daily`` found nothing new and nothing failed: not a failure (``daily`` says so in one line, exit 0)."""

    exit_code = 0


class EngineError(BriefingError):
    """A speech engine is missing or cannot speak."""

    exit_code = 1
