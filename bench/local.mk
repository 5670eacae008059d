# bench/local.mk - benchmarks: built with the rest, run by hand (not tests).
