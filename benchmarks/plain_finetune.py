"""A plain Hugging Face fine-tune, the reference of benchmarks/epoch_speed.py: only torch and
transformers, batch 48, lr 5e-5 (torch's AdamW, default settings), padding to the longest
utterance of each batch, 50 tokens at most; one epoch over the train split, then the valid and
test splits scored (batch 128), as one epoch of ``shiftmsa train`` does.

    python benchmarks/plain_finetune.py DATA.json ENCODER_DIR [--epochs 1] [--seed 0]

DATA.json: {"train": [[text, label], ...], "valid": [...], "test": [...]}. Prints the test mae.
"""

import argparse
import json

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("encoder")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    with open(args.data) as handle:
        splits = json.load(handle)
    tokenizer = AutoTokenizer.from_pretrained(args.encoder)
    model = AutoModelForSequenceClassification.from_pretrained(args.encoder, num_labels=1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)

    def batch(rows):
        inputs = tokenizer([text for text, _ in rows], padding=True, truncation=True, max_length=50,
                           return_tensors="pt")
        return inputs, torch.tensor([label for _, label in rows], dtype=torch.float32)

    train = splits["train"]
    for _ in range(args.epochs):
        model.train()
        for start in range(0, len(train), 48):
            order = torch.randperm(len(train)) if start == 0 else order
            inputs, labels = batch([train[i] for i in order[start:start + 48].tolist()])
            loss = torch.nn.functional.mse_loss(model(**inputs).logits.squeeze(-1), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for split in ("valid", "test"):
                errors = []
                for start in range(0, len(splits[split]), 128):
                    inputs, labels = batch(splits[split][start:start + 128])
                    errors.extend((model(**inputs).logits.squeeze(-1) - labels).abs().tolist())
                print(f"{split} mae {sum(errors) / len(errors):.4f}")


if __name__ == "__main__":
    main()
