# test_cli.sh - the command line itself: help, version, unknown commands, the option rules
# every command shares, name resolution, window --lesson.
. tests/integration/lib.sh
expect_output "help lists commands" "smtpsim run SCENARIO" "$SMTPSIM" --help
expect_output "version" "^smtpsim [0-9]+\.[0-9]+" "$SMTPSIM" --version
expect_exit "unknown option is a usage error" 2 "$SMTPSIM" --frobnicate

# options follow one rule in every command (app_opts.c): names in full, --name=value, '--',
# a one-line usage error naming the option, exit 2
expect_output "unknown option named" "^smtpsim run: unknown option '--frob'" "$SMTPSIM" run basic --frob
expect_exit "abbreviations are refused" 2 "$SMTPSIM" run basic --exp
expect_output "missing value named" "^smtpsim quiz: --exam needs a value" "$SMTPSIM" quiz --exam
expect_exit "missing value is a usage error" 2 "$SMTPSIM" serve --role
expect_output "--name=value" "^ *3 " "$SMTPSIM" run basic --step=3 --color=never
expect_output "-- ends the options" "^basic - " "$SMTPSIM" run --color never -- basic
expect_exit "an operand where none is taken" 2 "$SMTPSIM" send stray
expect_exit "list takes no operand" 2 "$SMTPSIM" list stray

# names: errors say which folders were searched (catalog.c)
expect_output "scenario not found names its folder" "no scenario 'nope' \(looked in .*lessons/scenarios\)" "$SMTPSIM" run nope
expect_output "lesson not found names its folder" "no lesson 'nope' \(looked in .*lessons\)" "$SMTPSIM" quiz nope --progress /dev/null
expect_output "a path that is not there" "no file 'no/such.json'" "$SMTPSIM" run no/such.json

# window --lesson opens the scenario the lesson animates
expect_exit "window --lesson" 0 env SDL_VIDEODRIVER=dummy "$SMTPSIM" window --lesson roles --frames 2
expect_exit "window --lesson unknown" 2 "$SMTPSIM" window --lesson nope
expect_exit "window SCENARIO and --lesson" 2 "$SMTPSIM" window basic --lesson roles
expect_output "window --lesson without a scenario" "animates no scenario" env SMTPSIM_DATA="$SMTPSIM_DATA/tests/data" "$SMTPSIM" window --lesson sample-basics
