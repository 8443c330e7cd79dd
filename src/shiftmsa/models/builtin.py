"""Registers the built-in models: msg-mba (the paper), text-only, mag and the Table I baselines
(tfn, lmf, mfn, mult, misa, self-mm)."""

from __future__ import annotations

from shiftmsa.models.lmf import LmfConfig, LmfModel
from shiftmsa.models.mag import MagConfig, MagModel
from shiftmsa.models.mfn import MfnConfig, MfnModel
from shiftmsa.models.misa import MISA_MMSA_MOSI, MisaConfig, MisaModel
from shiftmsa.models.msg_mba import MsgMbaModel
from shiftmsa.models.msg_mba_config import MsgMbaConfig
from shiftmsa.models.msg_mba_presets import PRESET_DESCRIPTIONS, PRESETS
from shiftmsa.models.mult import MultConfig, MultModel
from shiftmsa.models.registry import register_model
from shiftmsa.models.self_mm import SelfMmConfig, SelfMmModel
from shiftmsa.models.text_only import TextOnlyConfig, TextOnlyModel
from shiftmsa.models.tfn import TfnConfig, TfnModel

register_model("msg-mba", MsgMbaConfig, MsgMbaModel, PRESETS,
               "Lin & Hu 2023: MSG-T/A/V shifting gates, masked bimodal adjustment, Shifting HuberLoss",
               preset_descriptions=PRESET_DESCRIPTIONS)
register_model("text-only", TextOnlyConfig, TextOnlyModel, {},
               "the fine-tuned text encoder alone ([CLS] -> Linear), the paper's Table IV 'only T'")
register_model("mag", MagConfig, MagModel,
               {"bert": {}, "xlnet": {"encoder": "xlnet-base-cased"}},
               "MAG-BERT / MAG-XLNet (Rahman et al. 2020): a vector-gated shift of the text embeddings",
               preset_descriptions={"bert": "MAG-BERT on the default (BERT-family) encoder",
                                    "xlnet": "MAG-XLNet on xlnet-base-cased (injected after layer 1)"})
register_model("tfn", TfnConfig, TfnModel, {},
               "TFN (Zadeh et al. 2017): outer-product tensor fusion of per-modality vectors, BERT text")
register_model("lmf", LmfConfig, LmfModel, {},
               "LMF (Liu et al. 2018): low-rank modality-specific factors instead of the fused tensor, BERT text")
register_model("mfn", MfnConfig, MfnModel, {},
               "MFN (Zadeh et al. 2018): LSTMs per modality with delta-memory attention and a gated memory, BERT text")
register_model("mult", MultConfig, MultModel, {},
               "MulT (Tsai et al. 2019): crossmodal transformers between every pair of modalities, BERT text")
register_model("misa", MisaConfig, MisaModel, {"mmsa": MISA_MMSA_MOSI, "xlnet": {"encoder": "xlnet-base-cased"}},
               "MISA (Hazarika et al. 2020): modality-invariant and -specific subspaces, CMD / orthogonality / "
               "reconstruction losses, Transformer fusion",
               preset_descriptions={"mmsa": "MMSA's tuned MOSI values (dropout 0.2; similarity, difference, "
                                            "reconstruction weights 0.3, 0.1, 1.0)",
                                    "xlnet": "MISA on xlnet-base-cased (Table I's XLNet row)"})
register_model("self-mm", SelfMmConfig, SelfMmModel, {"xlnet": {"encoder": "xlnet-base-cased"}},
               "Self-MM (Yu et al. 2021): fused + unimodal heads, unimodal labels generated from class-centre "
               "distances and averaged over epochs with momentum",
               preset_descriptions={"xlnet": "Self-MM on xlnet-base-cased (Table I's XLNet row)"})
