# localg.R: the reference Getis-Ord Gi* for geo's tests and benchmark (spdep).
# Usage: Rscript geo/testdata/localg.R in.csv out.csv band
#   in.csv  columns x,y,v with a header (metres, value)
#   out.csv columns z,p (17 significant digits): z = localG with binary fixed-distance
#           weights, self included; p = two-sided normal p-value
# Prints "seconds <s> <d>": the elapsed time of dnearneigh + include.self + nb2listw +
# localG only (not reading or writing files), and of dnearneigh alone within it.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: Rscript localg.R in.csv out.csv band")
suppressPackageStartupMessages(library(spdep))
d <- read.csv(args[1], colClasses = "numeric")
band <- as.numeric(args[3])
xy <- cbind(d$x, d$y)
t1 <- system.time(nb <- dnearneigh(xy, 0, band))
t2 <- system.time({
  nb <- include.self(nb)
  lw <- nb2listw(nb, style = "B")
  z <- as.numeric(localG(d$v, lw))
})
p <- 2 * pnorm(abs(z), lower.tail = FALSE)
writeLines(c("z,p", sprintf("%.17g,%.17g", z, p)), args[2])
cat(sprintf("seconds %.6f %.6f\n", t1[["elapsed"]] + t2[["elapsed"]], t1[["elapsed"]]))
