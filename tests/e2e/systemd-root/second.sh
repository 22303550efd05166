#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The second boot (e2e.boot=second): its measurement list and PCRs for the host's replay.
set -u
. /etc/e2e/results.sh
result "e2e-second: reached the second boot, $(cat /proc/cmdline)"
result_block ascii_runtime_measurements cat $ima/ascii_runtime_measurements
send_list next
result "e2e-results: end"
exec 3>&-
systemctl poweroff --force --force
