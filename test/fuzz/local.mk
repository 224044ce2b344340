# test/fuzz: the libFuzzer harnesses (configuration, HTTP request, control
# request, sd_notify datagram). They are built
# by test/fuzz/run.sh with clang (libFuzzer needs it), not by automake, and
# run.sh is registered as an integration test (test/integration/local.mk).
EXTRA_DIST += test/fuzz/fuzz_conf.c test/fuzz/fuzz_http.c test/fuzz/fuzz_control.c test/fuzz/fuzz_notify.c test/fuzz/conf.dict test/fuzz/README.md test/corpus
EXTRA_DIST += test/fuzz/fuzz_split.c
EXTRA_DIST += test/fuzz/fuzz_ocistate.c
EXTRA_DIST += test/fuzz/fuzz_envfile.c
