# test/integration
integration_tests += test/integration/net-setup.sh
integration_tests += test/integration/net-wait-timeout.sh
integration_tests += test/integration/net-kernel-errors.sh
integration_tests += test/integration/net-no-cap.sh
integration_tests += test/integration/net-lo-only.sh
integration_tests += test/integration/svc-env.sh
integration_tests += test/integration/svc-privileges.sh
EXTRA_DIST += test/integration/svc-lib.sh
