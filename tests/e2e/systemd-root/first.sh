#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The first boot (e2e.boot=first): /boot on its own tmpfs, loaded from there as systemd v252's
# `systemctl kexec` loads a boot entry (kexec --load KERNEL --append=... --initrd=...), more
# measurements, then `systemctl kexec`. The shutdown hook (shutdown-hook.sh) runs last.
set -u
. /etc/e2e/results.sh
result "e2e-first: reached the first boot, $(systemctl --version | head -n 1)"
result "e2e-first: kexec is $(readlink -f /usr/sbin/kexec)"
result "e2e-first: IMA list at start: $(wc -l <$ima/ascii_runtime_measurements) records"
# A /boot of its own that shutdown unmounts before `kexec -e`, as a real /boot partition.
mount -t tmpfs -o size=256m,mode=0755 boot /boot
mv /boot-image/vmlinuz /boot-image/initrd.img /boot/
result "e2e-first: /boot mounted: $(findmnt -n -o FSTYPE /boot)"
cmdline="console=ttyS0 panic=-1 no_timer_check e2e.boot=second"
result_block load /usr/sbin/kexec --load /boot/vmlinuz "--append=$cmdline" --initrd=/boot/initrd.img
result "e2e-first: kexec_loaded $(cat /sys/kernel/kexec_loaded)"
result_block status styx status
# Measured after the load: these must reach the next kernel too.
for i in 1 2 3; do
  echo "measured after the load $i" >/var/tmp/e2e-after-load-$i
  cat /var/tmp/e2e-after-load-$i >/dev/null
done
# Read only by the shutdown hook, the last measurement before `kexec -e`.
echo "measured by the shutdown hook $(date +%s%N)" >/var/tmp/e2e-at-shutdown
result "e2e-first: systemctl kexec"
systemctl --no-block kexec
