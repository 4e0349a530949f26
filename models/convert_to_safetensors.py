#!/usr/bin/env python3
"""Convert a PyTorch checkpoint (`pytorch_model.bin`) to `model.safetensors` for cyberie.

The Rust runtime never loads pickle files. This converter reads the checkpoint with
`torch.load(..., weights_only=True)`, which refuses arbitrary pickled objects (only tensors and plain
containers are accepted), and writes the same tensor names to safetensors.

Usage:
    .venv/bin/python models/convert_to_safetensors.py MODEL_DIR
        reads MODEL_DIR/pytorch_model.bin, writes MODEL_DIR/model.safetensors
    .venv/bin/python models/convert_to_safetensors.py path/to/pytorch_model.bin [-o out.safetensors]
    options: --dtype keep|float32|float16 (default keep: floating tensors keep their dtype)
             --force (overwrite an existing output)

Sharded checkpoints (`pytorch_model-00001-of-0000N.bin` + index) are merged when MODEL_DIR holds
`pytorch_model.bin.index.json`.
"""
import argparse
import json
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

DTYPES = {"float32": torch.float32, "float16": torch.float16}


def load_bin(path):
    obj = torch.load(str(path), map_location="cpu", weights_only=True)
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise SystemExit(f"error: {path} is not a state dict of tensors")
    return obj


def convert(src, dst, dtype="keep", force=False):
    src, dst = Path(src), Path(dst)
    if dst.exists() and not force:
        raise SystemExit(f"error: {dst} exists (use --force to overwrite)")
    index = src.parent / "pytorch_model.bin.index.json"
    if src.name == "pytorch_model.bin.index.json" or (not src.exists() and index.exists()):
        files = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        state = {}
        for f in files:
            state.update(load_bin(src.parent / f))
    else:
        state = load_bin(src)
    out, seen = {}, set()
    for name, t in state.items():
        if dtype != "keep" and t.is_floating_point():
            t = t.to(DTYPES[dtype])
        # safetensors refuses tensors that share storage (tied weights) and non-contiguous views.
        key = (t.untyped_storage().data_ptr(), t.storage_offset()) if t.numel() else None
        if key in seen or not t.is_contiguous():
            t = t.clone()
        if key is not None:
            seen.add(key)
        out[name] = t.contiguous()
    save_file(out, str(dst), metadata={"format": "pt"})
    # Verify the round trip.
    back = load_file(str(dst))
    assert back.keys() == out.keys()
    for k in out:
        assert torch.equal(back[k], out[k]), k
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="a model directory with pytorch_model.bin, or the .bin file itself")
    ap.add_argument("-o", "--output", help="output .safetensors (default: model.safetensors beside the input)")
    ap.add_argument("--dtype", choices=["keep", "float32", "float16"], default="keep")
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    src = Path(a.src)
    if src.is_dir():
        src = src / "pytorch_model.bin"
    if not src.exists() and not (src.parent / "pytorch_model.bin.index.json").exists():
        raise SystemExit(f"error: {src} not found")
    dst = Path(a.output) if a.output else src.parent / "model.safetensors"
    out = convert(src, dst, a.dtype, a.force)
    names = list(out)
    print(f"wrote {dst}: {len(names)} tensors, {sum(t.numel() for t in out.values()):,} values")
    if not any(n.endswith("classifier.weight") for n in names):
        print("warning: no classifier.weight tensor: not a token-classification checkpoint?", file=sys.stderr)


if __name__ == "__main__":
    main()
