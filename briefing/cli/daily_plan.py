"""`briefing daily --plan`: the editor's view of the day, as text for a person or JSON for tools."""

from __future__ import annotations

import datetime as dt
import json

import click

from briefing.channel import Channel
from briefing.daily.run import DailyOptions, DayPlan, Story, headline, plan_daily, story_coverage
from briefing.pipeline import RenderOptions
from briefing.voices import VoiceProfile


def print_plan(channel: Channel, date: dt.date, minutes: float, update: bool, profile: VoiceProfile,
               engine: str | None, wait: bool, as_json: bool) -> None:
    options = DailyOptions(date=date, render=RenderOptions(profile=profile, engine=engine), minutes=minutes,
                           update=update, wait=wait)
    plan = plan_daily(channel, options, report=lambda line: click.echo(line, err=True))
    click.echo(json.dumps(plan_json(plan), ensure_ascii=False, indent=2) if as_json else plan_text(plan))


def plan_json(plan: DayPlan) -> dict:
    told = [{"rank": rank, "kind": "brief" if planned.story.brief else "top", "seconds": round(planned.seconds, 1),
             "already_told": planned.story.told is not None, **_story_json(planned.story),
             "headline": headline(planned.story),  # the title as said
             "said": [getattr(sentence, "display", sentence) for sentence in planned.body]}
            for rank, planned in enumerate(plan.told, 1)]
    left_out = [{"rank": rank, "reason": f"no time in --minutes {plan.minutes:g}", **_story_json(story)}
                for rank, story in enumerate(plan.left_out, len(plan.told) + 1)]
    return {"date": plan.date.isoformat(), "minutes": plan.minutes, "estimated_seconds": round(plan.seconds, 1),
            "stories": told, "left_out": left_out, "failures": plan.failures}


def _story_json(story: Story) -> dict:
    signals = story.signals
    return {
        "title": story.article.title,
        "sources": story.names,
        "articles": [{"title": article.title, "source": coverage.name or coverage.outlet, "link": coverage.link}
                     for article, coverage in zip((story.article, *story.merged_articles), story_coverage(story))],
        "signals": None if signals is None else {
            "sources": signals.sources, "weighted_sources": signals.weighted, "position": round(signals.position, 3),
            "recency": round(signals.recency, 3), "source_order": round(signals.prior, 3),
            "score": round(signals.score, 3)},
        "ranking": None if signals is None else signals.explain(story.names),
    }


def plan_text(plan: DayPlan) -> str:
    top = sum(not planned.story.brief for planned in plan.told)
    minutes, seconds = divmod(round(plan.seconds), 60)
    length = f"{minutes}:{seconds:02d}"
    lines = [f"Plan for {plan.date:%A} {plan.date.day} {plan.date:%B %Y}: --minutes {plan.minutes:g}, estimated "
             f"{length}; {top} top stories, {len(plan.told) - top} in brief, {len(plan.left_out)} left out"]
    for rank, planned in enumerate(plan.told, 1):
        story = planned.story
        kind = "brief" if story.brief else "top"
        lines.append(f"{rank:3d}. [{kind} {planned.seconds:.0f} s] {story.article.title}")
        lines += _details(story)
    if plan.left_out:
        lines.append(f"Left out (no time in --minutes {plan.minutes:g}; they stay unread for another day):")
        for rank, story in enumerate(plan.left_out, len(plan.told) + 1):
            lines.append(f"{rank:3d}. {story.article.title}")
            lines += _details(story)
    return "\n".join(lines)


def _details(story: Story) -> list[str]:
    lines = [f"       why: {story.signals.explain(story.names)}"] if story.signals else []
    for article, coverage in zip((story.article, *story.merged_articles), story_coverage(story)):
        where = f" <{coverage.link}>" if coverage.link else ""
        lines.append(f"       - {coverage.name or coverage.outlet}: {article.title}{where}")
    return lines
