"""Article-body extraction quality and speed: briefing's HTML reader against stored baselines.

Scores ``briefing.readers.html.read_html`` on the scrapinghub article-extraction-benchmark pages in
``../shared/eval`` with that benchmark's own metric, prints it beside every stored baseline output,
and times briefing and ``trafilatura.extract`` on the same pages in the same run.

Run: ``.venv/bin/python benchmarks/extraction_quality.py [-v]`` (``-v`` prints per-page figures).
``score_extraction`` is importable by other benchmarks.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
DATA_DIR = EVAL_DIR / "article-extraction-benchmark"

_TOKEN = re.compile(r"\w+")
_SHINGLE = 4


def _shingles(text: str) -> Counter:
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < _SHINGLE:
        return Counter([" ".join(tokens)]) if tokens else Counter()
    return Counter(" ".join(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1))


def page_counts(truth: str, predicted: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of 4-token shingle multisets, so that every page weighs the same."""
    true, pred = _shingles(truth), _shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def page_scores(truth: str, predicted: str) -> tuple[float | None, float | None]:
    """Per-page (precision, recall); None where the page has no denominator."""
    tp, fp, fn = page_counts(truth, predicted)
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp > 0 else None
    recall = tp / (tp + fn) if tp + fn > 0 else None
    return precision, recall


def score_extraction(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    """Mean precision, mean recall and the F1 of those means, over the ids in ``truth``.

    A missing prediction counts as empty text.
    """
    precisions, recalls = [], []
    for key, text in truth.items():
        precision, recall = page_scores(text, predicted.get(key, ""))
        if precision is not None:
            precisions.append(precision)
        if recall is not None:
            recalls.append(recall)
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def load_pages() -> tuple[dict[str, str], dict[str, str]]:
    """(html by id, true article body by id)."""
    truth_json = json.loads((DATA_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    truth = {key: item["articleBody"] for key, item in truth_json.items()}
    pages = {}
    for key in truth:
        with gzip.open(DATA_DIR / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as f:
            pages[key] = f.read()
    return pages, truth


def load_baselines() -> dict[str, dict[str, str]]:
    baselines = {}
    for path in sorted((DATA_DIR / "baselines").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "output" in data and isinstance(data["output"], dict):
            data = data["output"]
        baselines[path.stem] = {key: item.get("articleBody") or "" for key, item in data.items()}
    return baselines


def _run_timed(extract, pages: dict[str, str]) -> tuple[dict[str, str], list[float]]:
    outputs, times = {}, []
    for key, html in pages.items():
        start = time.perf_counter()
        outputs[key] = extract(html, key)
        times.append((time.perf_counter() - start) * 1000)
    return outputs, times


def _briefing(html: str, key: str) -> str:
    from briefing.errors import InputError
    from briefing.readers.html import read_html

    try:
        return "\n\n".join(read_html(html, key).paragraphs)
    except InputError:
        return ""


def _trafilatura(html: str, key: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def main(argv: list[str]) -> int:
    if not DATA_DIR.is_dir():
        print(f"no evaluation data at {DATA_DIR}; nothing to measure")
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    pages, truth = load_pages()

    _run_timed(_briefing, dict(list(pages.items())[:3]))  # warm imports before timing
    ours, our_ms = _run_timed(_briefing, pages)
    try:
        _run_timed(_trafilatura, dict(list(pages.items())[:3]))
        _, traf_ms = _run_timed(_trafilatura, pages)
    except ImportError:
        traf_ms = []

    if "-v" in argv:
        for key in truth:
            precision, recall = page_scores(truth[key], ours[key])
            print(f"  {key[:8]}  P {precision or 0:.3f}  R {recall or 0:.3f}")

    rows = [("briefing", *score_extraction(truth, ours))]
    rows += [(name, *score_extraction(truth, out)) for name, out in load_baselines().items()]
    print(f"{len(truth)} pages from {DATA_DIR}")
    print(f"{'system':<16} {'F1':>6} {'P':>6} {'R':>6}")
    for name, p, r, f1 in sorted(rows, key=lambda row: -row[3]):
        print(f"{name:<16} {f1:6.3f} {p:6.3f} {r:6.3f}")
    print(
        f"time per page briefing: median {statistics.median(our_ms):.1f} ms, "
        f"mean {statistics.fmean(our_ms):.1f} ms"
    )
    if traf_ms:
        print(
            f"time per page trafilatura: median {statistics.median(traf_ms):.1f} ms, "
            f"mean {statistics.fmean(traf_ms):.1f} ms"
        )
    print(f"extraction F1: {rows[0][3]:.3f}")
    print(f"extraction median ms briefing: {statistics.median(our_ms):.1f}")
    if traf_ms:
        print(f"extraction median ms trafilatura: {statistics.median(traf_ms):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
