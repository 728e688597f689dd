"""The peer of `sr360-bench search`: Python sentence-transformers running the same
all-MiniLM-L6-v2 weights (the local model directory, no download) on the same sentences,
same batch size, on the CPU. Writes {"name", "sentences_per_second", "vectors"} (the first
200 vectors, for the agreement check)."""
import json
import sys
import time

import torch
from sentence_transformers import SentenceTransformer, models

model_dir, sentences_file, out = sys.argv[1:4]
torch.set_num_threads(max(1, torch.get_num_threads()))
sentences = [s for s in open(sentences_file, encoding="utf-8").read().split("\n") if s]
# The directory holds the bare BERT weights and tokenizer: build the same pipeline the
# model card describes (mean pooling, then unit length).
word = models.Transformer(model_dir, max_seq_length=256)
pool = models.Pooling(word.get_word_embedding_dimension(), pooling_mode="mean")
st = SentenceTransformer(modules=[word, pool, models.Normalize()], device="cpu")
st.encode(sentences[:64], batch_size=32)
t = time.perf_counter()
vectors = st.encode(sentences, batch_size=32, convert_to_numpy=True)
per_s = len(sentences) / (time.perf_counter() - t)
import sentence_transformers

json.dump(
    {
        "name": f"Python sentence-transformers {sentence_transformers.__version__} (torch {torch.__version__}, CPU)",
        "sentences_per_second": per_s,
        "vectors": vectors[:200].tolist(),
    },
    open(out, "w"),
)
print(f"sentence-transformers: {per_s:.0f} sentences/s")
