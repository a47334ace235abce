"""Each voice profile's speaking pace, and how close `--minutes` lands with it.

Calibration: every profile whose engine loads here narrates the first ``CALIBRATION`` BBC articles
of ``../shared/eval/bbc-news-summary/News Articles`` (alternating categories, 200 words each); its
pace is the words said (counted as typists count them, five letters a word: a sentence's length in
time follows its letters more closely than its words) over the seconds of speech, pauses left out
(the script's own pauses are added when a length is fitted). That is the ``words_per_minute``
stored in ``voices/<name>.toml``.

Held out: the next ``HELD_OUT`` articles are made at 0.5, 1 and 2 minutes with the default and
british profiles (a length longer than the whole article is not counted), and the rendered length is compared with the asked one, against the baseline rule
rendered in the same run: 160 article words a minute, pauses and intro not counted (what
``--minutes`` did before).

Run: ``.venv/bin/python benchmarks/voice_pace.py``. Ends with ``name: value`` lines.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from daily_scale import ARTICLES_DIR, bbc_articles  # noqa: E402

from briefing.errors import BriefingError  # noqa: E402
from briefing.pipeline import MakeOptions, make_episode  # noqa: E402
from briefing.text.script import LETTERS_PER_WORD  # noqa: E402
from briefing.text.selection import WORDS_PER_MINUTE  # noqa: E402
from briefing.audio.engines import load_engine  # noqa: E402
from briefing.voices import load_profile, profile_names  # noqa: E402

CALIBRATION = 6
HELD_OUT = 4
LENGTHS = (0.5, 1.0, 2.0)
CHECKED_PROFILES = ("default", "british")


def measured_pace(profile_name: str, articles: list[Path], work: Path) -> float | None:
    profile = load_profile(profile_name)
    try:
        load_engine(profile.engine, profile.settings).close()
    except BriefingError:  # its engine does not load here: nothing of its own to measure
        return None
    letters = seconds = 0.0
    for number, article in enumerate(articles):
        made = make_episode(str(article), MakeOptions(max_words=200, voice=profile, publish=False, library=work,
                                                      output=work / f"{profile_name}-{number}.mp3"))
        for segment in made.script.segments():
            letters += sum(character.isalpha() for character in segment.text)
            seconds += segment.end - segment.start
    return letters / LETTERS_PER_WORD / seconds * 60.0


def main() -> None:  # run as a script only: speech workers start by spawning this module
    if not ARTICLES_DIR.is_dir():
        print(f"skipped: {ARTICLES_DIR} is not here")
        return
    articles = bbc_articles(CALIBRATION + HELD_OUT)
    calibration, held_out = articles[:CALIBRATION], articles[CALIBRATION:]
    paces: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name in profile_names():
            pace = measured_pace(name, calibration, work)
            stored = load_profile(name).words_per_minute
            if pace is None:
                print(f"{name:<10} engine not available here (stored: {stored})")
                continue
            paces[name] = pace
            print(f"{name:<10} {pace:6.1f} words a minute of speech (stored: {stored})")
        errors, baseline = [], []
        for name in CHECKED_PROFILES:
            if name not in paces:
                continue
            profile = replace(load_profile(name), words_per_minute=paces[name])
            for number, article in enumerate(held_out):
                whole = _whole_seconds(article, profile)
                for minutes in LENGTHS:
                    if whole < minutes * 60:
                        print(f"{name:<10} {article.parent.name}/{article.name:<8} {minutes:>4} min: the whole "
                              f"article is about {whole:.0f} s; not counted")
                        continue
                    made = make_episode(str(article), MakeOptions(
                        minutes=minutes, voice=profile, publish=False, library=work,
                        output=work / f"held-{name}-{number}-{minutes}.mp3"))
                    errors.append(made.duration_s / (minutes * 60) - 1)
                    old = make_episode(str(article), MakeOptions(
                        max_words=max(20, int(minutes * WORDS_PER_MINUTE)), voice=profile, publish=False,
                        library=work, output=work / f"old-{name}-{number}-{minutes}.mp3"))
                    baseline.append(old.duration_s / (minutes * 60) - 1)
                    print(f"{name:<10} {article.parent.name}/{article.name:<8} {minutes:>4} min: "
                          f"{made.duration_s:6.1f} s ({errors[-1]:+.1%}); baseline rule {baseline[-1]:+.1%}")
    worst = max(abs(error) for error in errors)
    worst_baseline = max(abs(error) for error in baseline)
    for name, pace in paces.items():
        print(f"pace_{name}_wpm: {pace:.0f}")
    print(f"held_out_worst_error_pct: {worst * 100:.1f}")
    print(f"held_out_mean_abs_error_pct: {sum(abs(e) for e in errors) / len(errors) * 100:.1f}")
    print(f"baseline_worst_error_pct: {worst_baseline * 100:.1f}")
    print(f"worst_error_ratio_vs_baseline: {worst / worst_baseline:.2f}")



def _whole_seconds(article: Path, profile) -> float:
    from briefing.pipeline import load_article, make_script
    from briefing.text.fitting import speaking_pace
    from briefing.text.script import estimated_seconds
    from briefing.text.selection import Budget

    return estimated_seconds(make_script(load_article(str(article)), Budget(None), profile), speaking_pace(profile))


if __name__ == "__main__":
    main()
