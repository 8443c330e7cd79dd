"""Which figures a model can give for some utterances, and their data (``explain_model``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from shiftmsa.data.contract import Utterance
from shiftmsa.explain.figure_data import FigureData, UnavailableFigure, available_modalities
from shiftmsa.explain.figures import attention_data, p_att_data, parse_layers, shift_data, tsne_data
from shiftmsa.explain.trace import (UtteranceTrace, model_title, pooled_representations, text_backbone,
                                    trace_utterance)
from shiftmsa.explain.tsne import embed_2d
from shiftmsa.models.modalities import MODALITIES, NON_TEXT
from shiftmsa.training.modelling import PreparedModel

FIGURES = ("attention", "p_att", "shifts", "tsne")
PER_UTTERANCE = ("attention", "p_att", "shifts")


@dataclass
class ExplainOptions:
    """What to draw and how.

    Args:
        figures: figure kinds from ``FIGURES``; None draws every figure the model can give (and
            t-SNE only for a labelled population). A figure asked for by name that the model
            cannot give is an ``UnavailableFigure`` error.
        layers: attention layers, 1-based numbers and ``last`` (default: layers 2, 3 and the
            last, those of the paper's Fig. 6).
        per_head: also keep (and draw) every attention head, not only their mean.
        modalities: modalities for shifts, p_att and t-SNE; None = all the model gives, else
            each one named must be there.
        seed: t-SNE random state.
        perplexity: t-SNE perplexity (lowered for fewer than 91 utterances).
        batch_size: utterances per forward pass for t-SNE.
    """

    figures: tuple[str, ...] | None = None
    layers: str = "2,3,last"
    per_head: bool = False
    modalities: tuple[str, ...] | None = None
    seed: int = 0
    perplexity: float = 30.0
    batch_size: int = 64

    def __post_init__(self) -> None:
        for names, allowed, what in ((self.figures, FIGURES, "figure"), (self.modalities, MODALITIES, "modality")):
            if names is not None and (not names or any(n not in allowed for n in names)):
                raise ValueError(f"{what} names {list(names)}: choose from {', '.join(allowed)}")


def _per_utterance_figure(kind: str, traces: list[UtteranceTrace], prepared: PreparedModel,
                          options: ExplainOptions) -> list[FigureData]:
    """One figure of ``kind`` per trace, or UnavailableFigure when the model cannot give it."""
    model = model_title(prepared)
    if kind == "attention":
        backbone = text_backbone(prepared)
        if backbone is None:
            raise UnavailableFigure(f"attention: model {model} has no text encoder whose attention could be read")
        layers = parse_layers(options.layers, backbone.num_layers)
        return [attention_data(trace, layers, options.per_head) for trace in traces]
    extras = traces[0].extras
    if kind == "shifts":
        modalities = available_modalities(extras, "shift", options.modalities, "shifts", model)
        return [shift_data(trace, modalities) for trace in traces]
    wanted = None if options.modalities is None else tuple(m for m in options.modalities if m in NON_TEXT)
    if wanted == ():
        raise UnavailableFigure("p_att: MBA pairs text with acoustic or visual, and the modalities asked "
                                "for name neither")
    modalities = available_modalities(extras, "p_att", wanted, "p_att", model)
    return [p_att_data(trace, modalities) for trace in traces]


def _tsne_figure(models: list[tuple[str, PreparedModel]], population: Sequence[Utterance],
                 options: ExplainOptions) -> FigureData:
    """t-SNE of the pooled M_m* of every model (the first decides the modalities)."""
    probe = population[0]
    modalities = options.modalities
    embeddings: dict[str, dict[str, np.ndarray]] = {}
    used_perplexity = options.perplexity
    for title, prepared in models:
        extras = trace_utterance(prepared, probe, record_attention=False, labelled=True).extras
        modalities = available_modalities(extras, "fused", modalities, "tsne", title)
        pooled = pooled_representations(prepared, population, modalities, options.batch_size)
        embeddings[title] = {}
        for modality in modalities:
            embeddings[title][modality], used_perplexity = embed_2d(pooled[modality], seed=options.seed,
                                                                   perplexity=options.perplexity)
    position = {title: getattr(prepared.model_config, "pooling", "cls") for title, prepared in models}
    return tsne_data(embeddings, np.array([u.label for u in population], dtype=np.float32),
                     [u.id for u in population],
                     {"seed": options.seed, "perplexity": used_perplexity, "position": position})


def _titles(prepared: PreparedModel, compare: PreparedModel | None,
            titles: Sequence[str] | None) -> list[tuple[str, PreparedModel]]:
    """(title, model) for the t-SNE panels: ``titles`` or the model names, made distinct."""
    models = [prepared] + ([compare] if compare is not None else [])
    names = list(titles or [model_title(m) for m in models])
    if len(names) == 2 and names[0] == names[1]:
        names[1] += " (compare)"
    return list(zip(names, models))


def explain_model(prepared: PreparedModel, utterances: Sequence[Utterance], *,
                  population: Sequence[Utterance] | None = None, labelled: bool = True,
                  compare: PreparedModel | None = None, titles: Sequence[str] | None = None,
                  options: ExplainOptions | None = None, log: Callable[[str], None] = print) -> list[FigureData]:
    """The data of every figure asked for (see ``ExplainOptions``).

    Args:
        prepared: the model to explain.
        utterances: utterances for the per-utterance figures (attention, p_att, shifts).
        population: utterances for t-SNE (e.g. a whole split), or None.
        labelled: whether the utterances' labels are gold labels (t-SNE colours by them).
        compare: a second model, drawn beside the first in the t-SNE (Fig. 7: without MSG).
        titles: the t-SNE panels' names for the model (and ``compare``); default: model names.
        options: what to draw; defaults to ``ExplainOptions()``.
        log: receives a line for each figure skipped when ``options.figures`` is None.
    """
    options = options or ExplainOptions()
    asked = options.figures is not None
    kinds = options.figures or FIGURES
    figures: list[FigureData] = []
    wanted_here = [kind for kind in PER_UTTERANCE if kind in kinds]
    if wanted_here and utterances:
        traces = [trace_utterance(prepared, u, record_attention="attention" in wanted_here, labelled=labelled)
                  for u in utterances]
        for kind in wanted_here:
            try:
                figures.extend(_per_utterance_figure(kind, traces, prepared, options))
            except UnavailableFigure as error:
                if asked:
                    raise
                log(f"skipped {error}")
    elif wanted_here and asked:
        raise ValueError(f"{', '.join(wanted_here)}: no utterances to draw")
    if "tsne" in kinds:
        if population and labelled:
            figures.append(_tsne_figure(_titles(prepared, compare, titles), population, options))
        elif asked:
            raise UnavailableFigure("tsne: colours utterances by their gold label; give a labelled split "
                                    "(--data, --split) rather than new utterances")
    return figures
