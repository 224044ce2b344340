# test/fuzz: the libFuzzer harness of the configuration parser. It is built
# by test/fuzz/run.sh with clang (libFuzzer needs it), not by automake, and
# run.sh is registered as an integration test (test/integration/local.mk).
EXTRA_DIST += test/fuzz/fuzz_conf.c test/fuzz/conf.dict test/fuzz/README.md test/corpus
