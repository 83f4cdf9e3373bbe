# test_cli.sh - the command line itself: help, version, unknown commands.
. tests/integration/lib.sh
expect_output "help lists commands" "smtpsim run SCENARIO" "$SMTPSIM" --help
expect_output "version" "^smtpsim [0-9]+\.[0-9]+" "$SMTPSIM" --version
expect_exit "unknown option is a usage error" 2 "$SMTPSIM" --frobnicate
