# moran.R: the reference Global Moran's I for geo's tests (spdep's moran.test).
# Usage: Rscript geo/testdata/moran.R in.csv out.csv band...
#   in.csv  columns x,y,v with a header (metres, value)
#   out.csv columns band,I,E,var,z,p (17 significant digits), one row per band: binary
#           fixed-distance weights (dnearneigh(xy, 0, band), style "B", zero.policy),
#           randomisation, n adjusted for points without neighbours, p one-sided greater
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: Rscript moran.R in.csv out.csv band...")
suppressPackageStartupMessages(library(spdep))
d <- read.csv(args[1], colClasses = "numeric")
xy <- cbind(d$x, d$y)
rows <- "band,I,E,var,z,p"
for (b in as.numeric(args[-(1:2)])) {
  lw <- nb2listw(dnearneigh(xy, 0, b), style = "B", zero.policy = TRUE)
  t <- moran.test(d$v, lw, randomisation = TRUE, zero.policy = TRUE, alternative = "greater")
  e <- t$estimate
  rows <- c(rows, sprintf("%.17g,%.17g,%.17g,%.17g,%.17g,%.17g", b, e[[1]], e[[2]], e[[3]], t$statistic[[1]], t$p.value))
}
writeLines(rows, args[2])
