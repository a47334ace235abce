"""Team records for speech: "Ohio State (6-5, 3-4 Big Ten)" → "Ohio State (6 and 5, 3 and 4 Big Ten)",
said "six and five, three and four" as American sport says a season's wins and losses, while a score
stays "24 to 17" (speech/numbers.py).

Two numbers joined by a hyphen are a record only where the place says so, because the same shape is
a score ("won 24-17"), a range ("aged 5-11") or a working day ("a 9-5 job"). A record is one of:
- in brackets after a team's name, alone or with a conference record: "Navy (2-7)", "Duke (14-3,
  5-1 ACC)", with ties: "The Kings (18-12-4)";
- after a word of a season's move: "improved to 12-8", "fell to 3-5", "their record to 7-4", ", now 9-1,"
  (not "fell to 2-0 down" or "a 3-1 defeat": a side standing in a game, a result);
- before a team's name: "the 10-2 Tigers" (not "a 2-1 Chelsea win", a result).
A side of nothing is "oh" ("11 and oh"); with ties the parts are listed: "18, 12 and 4".
"""

from __future__ import annotations

import re

_RECORD = r"(?<![\d.,/-])\d{1,3}-\d{1,3}(?:-\d{1,2})?(?![\d/-]|\.\d)"
# what may follow a record inside its brackets: a conference or league ("Big Ten", "ACC", "Pac-12")
_LEAGUE = r"(?:\s(?:in\s(?:the\s)?)?[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,2})?"
_IN_BRACKETS = re.compile(rf"(?<=[A-Za-z.'’]\s\()(?:{_RECORD}{_LEAGUE})(?:,\s{_RECORD}{_LEAGUE})*(?=\))")
_MOVE = (r"\b(?:improv(?:e|es|ed|ing)|f[ae]ll(?:s|ing)?|drop(?:s|ped|ping)?|mov(?:e|es|ed|ing)|slip(?:s|ped)?|"
         r"climb(?:s|ed)?|r[io]se|rises|record)\s(?:to|of|at)")
_AFTER_MOVE = re.compile(rf"(?:{_MOVE}|,\snow)\s({_RECORD})(?=[,.;:)!?]|$|\s(?!at\s(?:half|full|the))"
                         rf"(?:with|after|on|in|overall|and|this|at|for|since|under|against|as|to|before|while|but)\b)")
_BEFORE_TEAM = re.compile(rf"\b(?i:the|a|an)\s({_RECORD})(?=\s[A-Z][a-z]+\b(?!(?:\s[A-Z][a-z]+)*\s(?:win|victory|defeat|"
                          rf"loss|draw|success|triumph|thrashing|scoreline|comeback)\b))")


def _record_words(record: str) -> str:
    """'6-5' → '6 and 5', '11-0' → '11 and oh', '18-12-4' → '18, 12 and 4'."""
    parts = ["oh" if int(part) == 0 else str(int(part)) for part in record.split("-")]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _records_in(text: str) -> str:
    return re.sub(_RECORD, lambda match: _record_words(match.group(0)), text)


def expand_records(text: str) -> str:
    text = _IN_BRACKETS.sub(lambda match: _records_in(match.group(0)), text)
    for pattern in (_AFTER_MOVE, _BEFORE_TEAM):
        text = pattern.sub(lambda match: match.group(0)[:match.start(1) - match.start()] + _record_words(match.group(1)), text)
    return text
