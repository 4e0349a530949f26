#!/usr/bin/env python3
"""Test models/convert_to_safetensors.py on a pytorch_model.bin made from the tiny fixture model:
the converted model.safetensors must hold the same tensors, refuse nothing legitimate, reject pickled
objects, and load in transformers with identical outputs.

Usage: .venv/bin/python models/train/test_convert_to_safetensors.py
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from transformers import BertForTokenClassification  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "fixtures" / "tiny-model"
CONVERT = REPO / "models" / "convert_to_safetensors.py"


class Evil:
    def __reduce__(self):
        return (print, ("pickle code ran",))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "m"
        d.mkdir()
        shutil.copy(TINY / "config.json", d)
        shutil.copy(TINY / "tokenizer.json", d)
        ref = load_file(str(TINY / "model.safetensors"))
        # Tie a tensor to another one's storage, as some checkpoints do, to exercise the de-duplication.
        state = dict(ref)
        state["extra.tied"] = state["classifier.bias"]
        torch.save(state, d / "pytorch_model.bin")
        subprocess.run([sys.executable, str(CONVERT), str(d)], check=True)
        got = load_file(str(d / "model.safetensors"))
        assert got.keys() == state.keys(), set(got) ^ set(state)
        for k in state:
            assert torch.equal(got[k], state[k]) and got[k].dtype == state[k].dtype, k
        # The converted directory loads in transformers and gives the same logits as the fixture.
        (d / "pytorch_model.bin").unlink()
        ids = torch.tensor([[2, 40, 50, 60, 3]])
        with torch.no_grad():
            a = BertForTokenClassification.from_pretrained(TINY).eval()(ids).logits
            b = BertForTokenClassification.from_pretrained(d).eval()(ids).logits
        assert torch.equal(a, b)
        # float16 conversion.
        torch.save(dict(ref), d / "pytorch_model.bin")
        subprocess.run([sys.executable, str(CONVERT), str(d / "pytorch_model.bin"), "-o",
                        str(d / "half.safetensors"), "--dtype", "float16"], check=True)
        half = load_file(str(d / "half.safetensors"))
        assert all(t.dtype == torch.float16 for t in half.values())
        # A pickle with arbitrary objects is refused by weights_only=True.
        torch.save({"w": torch.zeros(1), "evil": Evil()}, d / "evil.bin")
        r = subprocess.run([sys.executable, str(CONVERT), str(d / "evil.bin"), "-o", str(d / "evil.safetensors")],
                           capture_output=True, text=True)
        assert r.returncode != 0 and "pickle code ran" not in r.stdout, (r.stdout, r.stderr)
        assert not (d / "evil.safetensors").exists()
    print("convert_to_safetensors: ok")


if __name__ == "__main__":
    main()
