"""A seeded 2-D t-SNE (scikit-learn) of utterance representations."""

from __future__ import annotations

import numpy as np

MIN_POINTS = 5


def embed_2d(vectors: np.ndarray, *, seed: int, perplexity: float) -> tuple[np.ndarray, float]:
    """(n, d) -> (n, 2) t-SNE coordinates (PCA initialisation, one thread: same seed, same numbers).

    Args:
        vectors: one row per utterance.
        seed: the random state.
        perplexity: asked perplexity; lowered to (n - 1) / 3 for small n (t-SNE needs it below n).

    Returns:
        the coordinates and the perplexity used.
    """
    from sklearn.manifold import TSNE

    if len(vectors) < MIN_POINTS:
        raise ValueError(f"t-SNE needs at least {MIN_POINTS} utterances, got {len(vectors)}")
    used = float(min(perplexity, (len(vectors) - 1) / 3))
    embedding = TSNE(n_components=2, perplexity=used, init="pca", random_state=seed, n_jobs=1)
    return embedding.fit_transform(vectors.astype(np.float64)).astype(np.float32), used
