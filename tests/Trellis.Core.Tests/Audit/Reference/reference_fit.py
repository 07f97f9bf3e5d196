"""Independent reference numbers for the audit statistics, from statsmodels and scipy (Debian packages:
python3-statsmodels, python3-scipy; run with /usr/bin/python3). Run once; reference.json is committed.

- Logit of promoted on the three predictors standardised with the sample SD (ddof=1), with an intercept:
  coefficients, standard errors (inverse Fisher information), Wald p-values, odds ratios and 95% intervals.
- Fisher's exact test, two-sided, for a few 2x2 tables."""
import json
import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
from scipy.stats import fisher_exact

data = pd.read_csv("drivers.csv")
names = ["results", "values", "tenure"]
z = (data[names] - data[names].mean()) / data[names].std(ddof=1)
fit = sm.Logit(data["promoted"], sm.add_constant(z)).fit(disp=0, tol=1e-12, maxiter=100)
ci = np.exp(fit.conf_int(alpha=0.05))
logit = {
    name: {
        "beta": float(fit.params[name]), "se": float(fit.bse[name]), "p": float(fit.pvalues[name]),
        "odds_ratio": float(np.exp(fit.params[name])), "ci": [float(ci.loc[name, 0]), float(ci.loc[name, 1])],
    }
    for name in ["const"] + names
}
tables = [[[3, 1], [1, 3]], [[12, 5], [2, 20]], [[0, 10], [7, 3]], [[51, 249], [92, 420]], [[2, 40], [30, 100]], [[5, 0], [0, 5]], [[1, 1], [1, 1]]]
fisher = [{"table": t, "p": float(fisher_exact(t, alternative="two-sided")[1])} for t in tables]
out = {
    "generated_by": f"statsmodels {statsmodels.__version__}, scipy {scipy.__version__}",
    "n": int(len(data)), "promoted": int(data["promoted"].sum()), "llf": float(fit.llf),
    "logit": logit, "fisher": fisher,
}
with open("reference.json", "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print(json.dumps(out, indent=2))
