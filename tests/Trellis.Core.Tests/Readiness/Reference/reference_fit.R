# Reference fit for the readiness engine (issue 18): the same crossed mixed model fitted by lme4 (REML), on
# observations.csv (a generated organisation of 1,200 people, non-self observations with their weights; written by
# ReferenceFitTests.The_committed_reference_data_is_the_generated_organisation with TRELLIS_WRITE_REFERENCE_DATA=1).
# Debian packages: r-cran-lme4. Run once from this folder: Rscript reference_fit.R; reference.json is committed.
#
#   rating = mu[behaviour] + u[person] + v[person, behaviour] + g[rater's department] + e[rater] + eps,
#   eps ~ N(0, sigma2 / weight), weight = relationship weight x 2^(-age / 365 days)
#
# Output: per person its values score (mean over behaviours of mu + u + v, v = 0 for a behaviour without evidence,
# u = 0 for a person without evidence), per cell (person x behaviour, person-major) the same level, the variance
# components, and the time the fit took.
suppressPackageStartupMessages(library(lme4))
persons <- 1200
behaviours <- 10
d <- read.csv("observations.csv")
d$person <- factor(d$subject)
d$cell <- factor(paste(d$subject, d$behaviour, sep = ":"))
d$rater_f <- factor(d$rater)
d$dept_f <- factor(d$rater_department)
d$behaviour_f <- factor(d$behaviour, levels = 0:(behaviours - 1))
started <- Sys.time()
fit <- lmer(rating ~ 0 + behaviour_f + (1 | person) + (1 | cell) + (1 | dept_f) + (1 | rater_f),
            data = d, weights = weight, REML = TRUE,
            control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5),
                                  check.conv.singular = "ignore", calc.derivs = FALSE))
seconds <- as.numeric(difftime(Sys.time(), started, units = "secs"))
mu <- fixef(fit)
re <- ranef(fit)
u <- setNames(re$person[, 1], rownames(re$person))
v <- setNames(re$cell[, 1], rownames(re$cell))
cells <- numeric(persons * behaviours)
values <- numeric(persons)
for (p in 0:(persons - 1)) {
  up <- u[as.character(p)]
  if (is.na(up)) up <- 0
  level <- numeric(behaviours)
  for (b in 0:(behaviours - 1)) {
    vb <- v[paste(p, b, sep = ":")]
    if (is.na(vb)) vb <- 0
    level[b + 1] <- mu[b + 1] + up + vb
  }
  cells[(p * behaviours + 1):((p + 1) * behaviours)] <- level
  values[p + 1] <- mean(level)
}
vc <- as.data.frame(VarCorr(fit))
component <- function(group) vc$vcov[vc$grp == group]
num <- function(x) formatC(x, digits = 17, format = "g")
json <- paste0(
  "{\n",
  "  \"generated_by\": \"lme4 ", as.character(packageVersion("lme4")), ", ", R.version.string, ", REML\",\n",
  "  \"seconds\": ", num(seconds), ",\n",
  "  \"reml_criterion\": ", num(REMLcrit(fit)), ",\n",
  "  \"components\": {\"sigma2\": ", num(sigma(fit)^2), ", \"tau_u2\": ", num(component("person")),
  ", \"tau_v2\": ", num(component("cell")), ", \"sigma_b2\": ", num(component("rater_f")),
  ", \"tau_g2\": ", num(component("dept_f")), "},\n",
  "  \"behaviour_means\": [", paste(num(mu), collapse = ", "), "],\n",
  "  \"values\": [", paste(num(values), collapse = ", "), "],\n",
  "  \"cells\": [", paste(num(cells), collapse = ", "), "]\n",
  "}\n")
writeLines(json, "reference.json", sep = "")
cat("fit in", seconds, "s; components:", "\n")
print(vc)
