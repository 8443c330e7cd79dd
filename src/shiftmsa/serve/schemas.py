"""The JSON shapes of requests and answers, for validation and the OpenAPI schema."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class UtteranceIn(BaseModel):
    """One utterance to score, as a line of ``shiftmsa predict --input`` JSONL."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, description="its id (default: utterance<n>, n counting from 1)")
    text: str | None = Field(None, description="its words, separated by white space (or give words)")
    words: list[str] | None = Field(None, description="its words (instead of text)")
    acoustic: list[list[float]] | None = Field(
        None, description="acoustic features: one row per word, or one row for the whole utterance "
                          "(needed when the model uses them, of the width it was trained on)")
    visual: list[list[float]] | None = Field(None, description="visual features, as acoustic")


class Score(BaseModel):
    id: str
    score: float = Field(description="sentiment on the -3 (negative) .. +3 (positive) scale")


class ClipWord(BaseModel):
    """One transcript word of a clip: its time span, what placed it, and the text shift."""

    model_config = ConfigDict(extra="allow")

    word: str
    start: float = Field(description="seconds")
    end: float = Field(description="seconds")
    placed_by: str = Field(description="'aligner', or 'fallback' when the aligner could not place the word "
                                       "and the length rule gave its times")
    text_shift: float | None = Field(None, description="mean |eta * h_s| (Eq. 7) over the word's pieces, when the "
                                                       "model shifts text")


class ClipScore(BaseModel):
    id: str
    score: float = Field(description="sentiment on the -3 .. +3 scale")
    words: list[ClipWord]
    features: dict[str, str] = Field(description="extractor identity per stream (name-version/settings hash)")
    counts: dict[str, int] = Field(description="how many words each alignment and pooling rule placed")


class Explanation(BaseModel):
    """The figures of ``shiftmsa explain`` for one utterance, each as the JSON it writes."""

    id: str
    score: float
    figures: dict[str, dict] = Field(description="kind (shifts, p_att, attention) -> FigureData.to_json(): "
                                                 "labels (tokens, words, modalities, layers) and arrays")
    unavailable: list[str] = Field(description="figures the model cannot give, and why")
    words: list[ClipWord] | None = Field(None, description="for a clip: the words' alignment")


class Problem(BaseModel):
    error: str = Field(description="what is wrong, in one line")
    field: str | None = Field(description="the request field at fault")
