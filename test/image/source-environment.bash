#!/bin/bash
# Prints the environment the phase scripts of a DIB phase get, NUL-separated (env -0): the caller's
# environment plus whatever the element's environment.d files export. dib-run-parts sources those files
# under set -eu -o pipefail, in sort -n order, before it runs any script; the caller passes them as
# arguments in that order. The image test runs this file with bash (inside the chroot for the in-target
# phases, reading it on stdin there), so it is the one piece of shell in the test, and it takes the file
# names as data, never as code.
set -eu
set -o pipefail

for env_file in "$@"; do
    # shellcheck disable=SC1090
    source "$env_file"
done
exec env -0
