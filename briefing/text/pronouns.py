"""Who "he" or "she" is: a sentence chosen without the one before it may open on a pronoun whose
person that one named ("She said the homes…", '"…," he said').

Where the chosen text does not say that sentence first, ``name_pronoun`` puts the person in: the one
person the article's sentence before it names, as the one speaking or acting there ("Clare Venn said
the homes…", in full at first mention as ``mentions`` would say it); never when that sentence names
no one or two, or a title there says the pronoun is someone else ("Mr Amsel … she said"). The caller
decides what to do then (the daily telling leaves the sentence out).

This stage does not choose sentences (``select``).
"""

from __future__ import annotations

import re

from briefing.text.mentions import (COURTESY_TITLES, FULL_NAME, LOWER, NOT_FIRST_NAMES, OTHER_TITLES, SPEECH_VERBS, UPPER,
                                     FullForms)

# "She said the homes…" and '"…," he said': a person only the sentence before names.
SUBJECT_PRONOUN = re.compile(r"^(He|She)\s(?=[a-z])")
ATTRIBUTED_TO_PRONOUN = re.compile(rf"(?<=[,?!][\"”’'])\s(he|she)\s(?={SPEECH_VERBS}\b)")
SHE_TITLES = ("Mrs", "Ms", "Miss")
# Where a sentence's subject or speaker stands: among its first words, or before or after a speech verb.
SUBJECT_WORDS = 7


def opens_on_pronoun(sentence: str) -> bool:
    """It opens on "He" or "She", or quotes someone only "he" or "she" names ('"…," she said')."""
    return bool(SUBJECT_PRONOUN.match(sentence) or ATTRIBUTED_TO_PRONOUN.search(sentence))


def name_pronoun(sentence: str, previous: str, forms: FullForms, said: set[str]) -> str | None:
    """``sentence`` with its opening "He"/"She" (or the "he"/"she" a quote is attributed to) replaced
    by the person ``previous`` names, in full at first mention; None when ``previous`` names no one,
    more than one, or not as its subject or speaker, or calls them by a title of the other sex."""
    found = SUBJECT_PRONOUN.match(sentence) or ATTRIBUTED_TO_PRONOUN.search(sentence)
    if found is None:
        return None
    person = _only_person(previous, forms)
    if person is None:
        return None
    surname, title, as_named = person
    she = found.group(1).lower() == "she"
    if title and title.rstrip(".") in ("Mr", *SHE_TITLES) and she != (title.rstrip(".") in SHE_TITLES):
        return None
    if surname in said:
        name = f"{title} {surname}" if title else surname
    else:
        name = forms.people.get(surname, as_named)
        said.add(surname)
    return sentence[:found.start(1)] + name + sentence[found.end(1):]


def _only_person(sentence: str, forms: FullForms) -> tuple[str, str | None, str] | None:
    """(surname, title, the name as written) of the one person ``sentence`` names, when it names
    exactly one and names them as its subject or speaker."""
    names: dict[str, tuple[int, int, str | None]] = {}
    for match in FULL_NAME.finditer(sentence):
        if match.group(1) not in NOT_FIRST_NAMES:
            names.setdefault(match.group(3), (match.start(), match.end(), None))
    for match in re.finditer(rf"\b({COURTESY_TITLES}|{OTHER_TITLES})\s([{UPPER}][{LOWER}]{{2,}}(?:-[{UPPER}][{LOWER}]+)?)\b", sentence):
        names[match.group(2)] = (match.start(), match.end(), match.group(1))
    for surname in forms.people:
        alone = re.search(rf"\b{surname}\b(?!\s[A-Z][a-z])", sentence)
        if alone and surname not in names:
            names[surname] = (alone.start(), alone.end(), None)
    if len(names) != 1:
        return None
    [(surname, (start, end, title))] = names.items()
    subject = len(sentence[:start].split()) < SUBJECT_WORDS
    speaker = re.match(rf"(?:,[^,]{{1,100}},)?\s{SPEECH_VERBS}\b", sentence[end:]) or \
        re.search(rf"\b{SPEECH_VERBS}\s$", sentence[:start])
    if not subject and not speaker:
        return None
    return surname, title, sentence[start:end]
