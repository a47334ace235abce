"""Content quality: what briefing keeps of a page, and how well it summarises, against baselines in the same run.

1. Extraction. The scrapinghub article-extraction-benchmark pages in ``../shared/eval`` go through the
   same stages as ``briefing extract --all`` (``readers.parse(..., "html")`` then ``clean``), and the
   reader alone, scored with ``benchmarks/extraction_quality.py``'s metric beside every stored baseline
   output; briefing and ``trafilatura.extract`` are timed on the same pages in the same run.
2. Summaries. Every article of ``bbc-news-summary/`` is read with briefing's text reader and cleaned,
   then summarised with ``max_words`` equal to the reference summary's word count. briefing's
   ``select`` is scored beside Lead-k, sumy's LexRank and sumy's TextRank at the same length with
   ROUGE-1/2/L F (``rouge-score``, stemmer on) and by sentence selection P/R/F1. Every system sees the
   same body (the cleaned paragraphs, headline left out: it is the title, not narrated as body) and
   the same sentences (pysbd via ``briefing.text.sentences.split_sentences``). The baselines take whole
   ranked sentences until the budget is reached and are then cut to exactly ``max_words`` words
   (the most generous reading of "the same length"); briefing never cuts a sentence.

Run: ``.venv/bin/python benchmarks/content_quality.py [-v]``. Ends with ``name: value`` lines.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval"
SUMMARY_DIR = EVAL_DIR / "bbc-news-summary"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

WORD = re.compile(r"\w+(?:['’]\w+)*")
# The references join sentences with no space: "...$10.9bn.For the full-year..." or '..."pretty modest".It is'.
GLUED_SENTENCES = re.compile(r"([.!?][\"'”’)]?)(?=[A-Z\"“‘'])")


# --- extraction -------------------------------------------------------------------------------------


def _briefing_full_path(page: str, key: str) -> str:
    """What ``briefing extract --all`` keeps: read as HTML, then clean (headings included)."""
    from briefing.text.clean import clean
    from briefing.errors import InputError
    from briefing.readers import parse

    try:
        article = clean(parse(page, key, "html"))
    except InputError:
        return ""
    return "\n\n".join(p.text for p in article.paragraphs)


def extraction(verbose: bool) -> dict[str, float]:
    import extraction_quality as eq

    if not eq.DATA_DIR.is_dir():
        print(f"no extraction data at {eq.DATA_DIR}; skipping extraction")
        return {}
    pages, truth = eq.load_pages()
    warm = dict(list(pages.items())[:3])
    eq._run_timed(_briefing_full_path, warm)
    ours, our_ms = eq._run_timed(_briefing_full_path, pages)
    reader_only, reader_ms = eq._run_timed(eq._briefing, pages)
    try:
        eq._run_timed(eq._trafilatura, warm)
        _, traf_ms = eq._run_timed(eq._trafilatura, pages)
    except ImportError:
        traf_ms = []
    if verbose:
        for key in truth:
            full = eq.page_scores(truth[key], ours[key])
            raw = eq.page_scores(truth[key], reader_only[key])
            flag = "  <- clean() changed it" if full != raw else ""
            print(f"  {key[:8]}  full P {full[0] or 0:.3f} R {full[1] or 0:.3f}"
                  f"  reader P {raw[0] or 0:.3f} R {raw[1] or 0:.3f}{flag}")
    rows = [("briefing", *eq.score_extraction(truth, ours)),
            ("briefing reader", *eq.score_extraction(truth, reader_only))]
    rows += [(name, *eq.score_extraction(truth, out)) for name, out in eq.load_baselines().items()]
    print(f"== extraction: {len(truth)} pages; briefing = parse(html) + clean, as `briefing extract --all`")
    print(f"{'system':<16} {'F1':>6} {'P':>6} {'R':>6}")
    for name, p, r, f1 in sorted(rows, key=lambda row: -row[3]):
        print(f"{name:<16} {f1:6.3f} {p:6.3f} {r:6.3f}")
    print(f"time per page (median): briefing {statistics.median(our_ms):.1f} ms (reader alone "
          f"{statistics.median(reader_ms):.1f} ms)"
          + (f", trafilatura {statistics.median(traf_ms):.1f} ms" if traf_ms else ""))
    figures = {"extraction F1": rows[0][3], "extraction F1 reader only": rows[1][3],
               "extraction median ms briefing": statistics.median(our_ms)}
    if traf_ms:
        figures["extraction median ms trafilatura"] = statistics.median(traf_ms)
    return figures


# --- summaries --------------------------------------------------------------------------------------


def words_of(text: str) -> int:
    return len(text.split())


def fix_reference(text: str) -> str:
    return GLUED_SENTENCES.sub(r"\1 ", text.strip())


def load_summary_pairs() -> list[tuple[str, str, str]]:
    """(name, article text, reference summary) for every dev article."""
    pairs = []
    for path in sorted((SUMMARY_DIR / "News Articles").glob("*/*.txt")):
        reference = SUMMARY_DIR / "Summaries" / path.parent.name / path.name
        if reference.exists():
            pairs.append((f"{path.parent.name}/{path.stem}", path.read_text(encoding="utf-8"),
                          reference.read_text(encoding="utf-8")))
    return pairs


class _WordTokenizer:
    """sumy's Tokenizer needs NLTK punkt data; sentences come from pysbd, words from a regex."""

    language = "english"

    @staticmethod
    def to_sentences(text: str) -> tuple[str, ...]:
        from briefing.text.sentences import split_sentences

        return tuple(split_sentences(text))

    @staticmethod
    def to_words(text: str) -> tuple[str, ...]:
        return tuple(WORD.findall(text))


def _sumy_ranker(kind: str):
    """A function from paragraphs of sentences to sentence positions, best first, using sumy's ratings."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    base = LexRankSummarizer if kind == "lexrank" else TextRankSummarizer

    class Ranking(base):
        @staticmethod
        def _get_best_sentences(sentences, count, rating, *args, **kwargs):
            order = sorted(range(len(sentences)), key=lambda i: (-rating[sentences[i]], i))
            return tuple(order)

    summarizer = Ranking(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = _WordTokenizer()

    def rank(paragraphs: list[list[str]]) -> list[int]:
        document = ObjectDocumentModel(
            [Paragraph([Sentence(s, tokenizer) for s in sentences]) for sentences in paragraphs]
        )
        return list(summarizer(document, len(document.sentences)))

    return rank


def take_ranked(sentences: list[str], order: list[int], max_words: int) -> tuple[str, set[int]]:
    """Whole sentences in rank order until the budget is reached, in article order, cut to max_words."""
    picked, words = [], 0
    for position in order:
        if words >= max_words:
            break
        picked.append(position)
        words += words_of(sentences[position])
    text = " ".join(sentences[i] for i in sorted(picked))
    return " ".join(text.split()[:max_words]), set(picked)


def _sentence_labels(sentences: list[str], reference: str) -> list[bool]:
    squashed = re.sub(r"\s+", "", reference)
    return [re.sub(r"\s+", "", s) in squashed for s in sentences]


def _prf(picked: set[int], positives: set[int]) -> tuple[float, float, float]:
    tp = len(picked & positives)
    p = tp / len(picked) if picked else 0.0
    r = tp / len(positives) if positives else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def summaries(verbose: bool) -> dict[str, float]:
    from rouge_score import rouge_scorer

    from briefing.text.clean import clean
    from briefing.readers import parse
    from briefing.text.selection import Budget, select
    from briefing.text.sentences import split_sentences

    pairs = load_summary_pairs()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rankers = {"lexrank": _sumy_ranker("lexrank"), "textrank": _sumy_ranker("textrank")}
    systems = ["briefing", "lead-k", "lexrank", "textrank"]
    rouge = {name: {"rouge1": [], "rouge2": [], "rougeL": []} for name in systems}
    selection = {name: [] for name in systems}
    select_ms, lengths = [], []
    for name, text, reference_raw in pairs:
        reference = fix_reference(reference_raw)
        max_words = words_of(reference)
        article = clean(parse(text, name, "text"))
        body = [p for p in article.paragraphs if not p.is_heading]
        paragraphs = [split_sentences(p.text) for p in body]
        sentences = [s for group in paragraphs for s in group]
        positives = {i for i, label in enumerate(_sentence_labels(sentences, reference)) if label}

        start = time.perf_counter()
        chosen = select(article, Budget(max_words))
        select_ms.append((time.perf_counter() - start) * 1000)
        chosen_body = [p for p in chosen if not p.is_heading]
        ours = " ".join(p.text for p in chosen_body)
        assert words_of(" ".join(p.text for p in chosen)) <= max_words, name
        ours_sentences = [s for p in chosen_body for s in split_sentences(p.text)]
        lengths.append(words_of(ours) / max_words)
        outputs = {"briefing": (ours, {i for i, s in enumerate(sentences) if s in ours_sentences})}
        outputs["lead-k"] = take_ranked(sentences, list(range(len(sentences))), max_words)
        for kind, rank in rankers.items():
            outputs[kind] = take_ranked(sentences, rank(paragraphs), max_words)
        for system, (summary, picked) in outputs.items():
            scores = scorer.score(reference, summary)
            for metric in rouge[system]:
                rouge[system][metric].append(scores[metric].fmeasure)
            selection[system].append(_prf(picked, positives))
        if verbose:
            r2 = {s: rouge[s]["rouge2"][-1] for s in systems}
            print(f"  {name:<18} words {max_words:4d}  " + "  ".join(f"{s} {v:.3f}" for s, v in r2.items()))

    print(f"== summaries: {len(pairs)} articles from {SUMMARY_DIR}, budget = reference word count")
    print(f"{'system':<10} {'R1':>6} {'R2':>6} {'RL':>6}   {'sentP':>6} {'sentR':>6} {'sentF1':>6}")
    figures: dict[str, float] = {}
    for system in systems:
        means = {metric: statistics.fmean(values) for metric, values in rouge[system].items()}
        p, r, f1 = (statistics.fmean(column) for column in zip(*selection[system]))
        print(f"{system:<10} {means['rouge1']:6.3f} {means['rouge2']:6.3f} {means['rougeL']:6.3f}"
              f"   {p:6.3f} {r:6.3f} {f1:6.3f}")
        for metric, label in (("rouge1", "R1"), ("rouge2", "R2"), ("rougeL", "RL")):
            figures[f"{system} {label}"] = means[metric]
        figures[f"{system} sentence F1"] = f1
    print(f"briefing uses {statistics.fmean(lengths):.1%} of the budget on average; select() median "
          f"{statistics.median(select_ms):.1f} ms, max {max(select_ms):.1f} ms per article")
    figures["summary R2"] = figures["briefing R2"]
    figures["baseline best R2"] = max(figures[f"{s} R2"] for s in systems if s != "briefing")
    return figures


def main(argv: list[str]) -> int:
    if not EVAL_DIR.is_dir():
        print(f"no evaluation data at {EVAL_DIR}; nothing to measure")
        return 0
    verbose = "-v" in argv
    figures = extraction(verbose)
    if SUMMARY_DIR.is_dir():
        figures |= summaries(verbose)
    else:
        print(f"no summary data at {SUMMARY_DIR}; skipping summaries")
    print()
    for name, value in figures.items():
        if name not in ("extraction F1", "summary R2", "baseline best R2"):
            print(f"{name}: {value:.3f}")
    for name in ("extraction F1", "summary R2", "baseline best R2"):
        if name in figures:
            print(f"{name}: {figures[name]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
