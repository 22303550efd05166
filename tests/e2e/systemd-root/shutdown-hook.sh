#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# /usr/lib/systemd/system-shutdown/e2e: systemd-shutdown runs it after unmounting the file
# systems, right before it executes `kexec -e` (argument "kexec").
. /etc/e2e/results.sh
result "e2e-hook: systemd-shutdown runs the hooks for: $1"
if findmnt -n /boot >/dev/null 2>&1; then
  result "e2e-hook: /boot still mounted"
else
  result "e2e-hook: /boot unmounted"
fi
[ -e /boot/vmlinuz ] && result "e2e-hook: /boot/vmlinuz still there" || result "e2e-hook: /boot/vmlinuz gone"
cat /var/tmp/e2e-at-shutdown >/dev/null
result_block at-hook cat $ima/ascii_runtime_measurements
send_list at-hook
# What systemd-shutdown's `kexec -e` will meet, said on the results channel: the child it forks
# has no stderr on the console, so a refusal would otherwise go unseen.
if [ -x /usr/bin/styx ]; then
  result_block exec-dry-run sh -c '/usr/bin/styx exec --dry-run; echo "exit status $?"'
fi
result "e2e-hook: done"
