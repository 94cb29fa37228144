"""The reader's one entry point: read(query, hits, …) -> Reading (see the qa.reader package)."""


from __future__ import annotations

from dataclasses import dataclass, field, replace

from ingest.records import Page
from qa.query import Query
from qa.reader.candidates import Candidate, Context, dedupe, gather
from qa.reader.compose import Composed, compose
from qa.reader.features import featurize
from qa.reader.model import Weights
from qa.reader.refusal import Assessment, assess, reason, unnamed
from qa.reader.select import pick, score
from qa.reader.terms import focus_terms, part_terms, query_terms
from qa.records import Hit

PART_CONTEXT = 0.3  # weight of the rest of the question's terms when reading one of its asks

@dataclass(frozen=True)
class Reading:
    ranked: list[Candidate]  # every candidate, scored for the whole question, best first
    parts: list[list[Candidate]]  # per further ask: the candidates scored for it
    chosen: list[Candidate]
    assessment: Assessment
    answerable: float  # P(answerable) from the refusal model
    composed: Composed | None  # None when refused
    reason: str  # why it refused ("" when it answers)
    timings: dict[str, float] = field(default_factory=dict)  # filled by the caller, milliseconds


def read(query: Query, hits: list[Hit], ctx: Context, weights: Weights, pages: dict[str, list[Page]],
         document_text: str, extra: list[Hit] = ()) -> Reading:
    frame = ctx.vocabulary.frame
    cands = dedupe(gather(hits, ctx, extra))
    terms = query_terms(query, frame)
    featurize(cands, query, ctx, terms, focus=focus_terms(query.norm, frame))
    ranked = score(cands, weights)
    parts = []
    for i, (part, answer) in enumerate(zip(query.parts, query.part_answers, strict=True)):
        sim = ctx.part_sims[i] if i < len(ctx.part_sims) else None
        copies = [replace(c, dense=sim(c.hit.chunk.id, c.index) if sim else c.dense) for c in cands]
        featurize(copies, query, ctx, part_terms(part, query, ctx.vocabulary, PART_CONTEXT), answer,
                  focus_terms(part, frame))
        parts.append(score(copies, weights))
    chosen = pick(ranked, parts, weights)
    assessment = assess(query, ranked, hits, ctx, document_text, parts)
    answerable = weights.refusal.prob(assessment.features)
    refused = (not chosen or assessment.year_outside is not None or bool(assessment.breakdown)
               or bool(assessment.item_missing) or answerable < weights.refuse_below)
    composed = None if refused else compose(chosen, query, pages, ctx.vocabulary, tuple(terms))
    if composed is not None and (n := unnamed(query, [c.quote for c in composed.citations])):
        assessment = replace(assessment, unnamed=n)  # the count is there, its names are not
    if composed is not None and (not composed.citations or assessment.unnamed):
        refused, composed = True, None
    why = reason(query, assessment, ctx.vocabulary) if refused else ""
    return Reading(ranked, parts, chosen, assessment, answerable, composed, why)
