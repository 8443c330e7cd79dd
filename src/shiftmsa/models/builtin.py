"""Registers the built-in models: msg-mba (the paper), text-only and mag."""

from __future__ import annotations

from shiftmsa.models.mag import MagConfig, MagModel
from shiftmsa.models.msg_mba import MsgMbaModel
from shiftmsa.models.msg_mba_config import MsgMbaConfig
from shiftmsa.models.msg_mba_presets import PRESET_DESCRIPTIONS, PRESETS
from shiftmsa.models.registry import register_model
from shiftmsa.models.text_only import TextOnlyConfig, build_text_only

register_model("msg-mba", MsgMbaConfig, MsgMbaModel, PRESETS,
               "Lin & Hu 2023: MSG-T/A/V shifting gates, masked bimodal adjustment, Shifting HuberLoss",
               preset_descriptions=PRESET_DESCRIPTIONS)
register_model("text-only", TextOnlyConfig, build_text_only, {},
               "the fine-tuned text encoder alone ([CLS] -> Linear), the paper's Table IV 'only T'")
register_model("mag", MagConfig, MagModel,
               {"bert": {}, "xlnet": {"encoder": "xlnet-base-cased"}},
               "MAG-BERT / MAG-XLNet (Rahman et al. 2020): a vector-gated shift of the text embeddings",
               preset_descriptions={"bert": "MAG-BERT on the default (BERT-family) encoder",
                                    "xlnet": "MAG-XLNet on xlnet-base-cased (injected after layer 1)"})
