"""Generates drivers.csv, the data set of the reference fit: 600 candidates of a synthetic organisation.
Run once; the CSV is committed and is the input of both reference_fit.py and the C# test."""
import csv, math, random

rng = random.Random(20260630)
with open("drivers.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["results", "values", "tenure", "promoted"])
    for _ in range(600):
        results = min(5.0, max(1.0, rng.gauss(3.2, 0.7)))
        values = min(5.0, max(1.0, 0.3 * (results - 3.2) + rng.gauss(3.4, 0.6)))
        tenure = max(0.1, rng.expovariate(1 / 4.0))
        eta = -1.6 + 1.1 * (results - 3.2) / 0.7 + 0.35 * (values - 3.4) / 0.6 + 0.1 * (tenure - 4) / 4
        promoted = 1 if rng.random() < 1 / (1 + math.exp(-eta)) else 0
        w.writerow([f"{results:.3f}", f"{values:.3f}", f"{tenure:.2f}", promoted])
