# SPDX-License-Identifier: GPL-2.0-only
# The kill-load mode of the e2e /init (busybox sh; make-initramfs.sh), sourced after init-lib.sh.
# Each run starts `styx load`, kills it with SIGKILL after a random delay and then checks, as a
# user would see it: /sys/kernel/kexec_loaded is 0 or 1; `styx status` agrees with it (nothing
# loaded, or loaded by styx from files whose digests still match, or a load it says did not
# finish); /run/styx holds nothing but the record. Then it unloads for the next run. A third of
# the delays are spread over a whole load, a third over its last fifth, and a third start when
# the "loading" record appears (right before kexec_load) and last up to half a load: the system call
# and the second write of the record. One line per run and a summary go to the results channel.
runs=$(cat /etc/e2e/runs)
# /run is a tmpfs on a real system; the record lives there.
mount -t tmpfs -o mode=0755 tmpfs /run
load_args="--kernel /boot/vmlinuz --initrd /boot/next.cpio.gz --reuse-cmdline"

uptime_cs() { # the uptime in hundredths of a second
  read -r up _ </proc/uptime
  echo "${up%.*}${up#*.}" | sed 's/^0*//; s/^$/0/'
}
random() { # a number in [0, $1)
  n=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  echo $((n % $1))
}

# How long an uninterrupted load takes here (the delays are drawn up to it).
t0=$(uptime_cs)
# shellcheck disable=SC2086
styx load $load_args >/tmp/load.out 2>&1 || {
  result "e2e-kill: an uninterrupted load failed: $(cat /tmp/load.out)"
  return 0
}
whole_ms=$((($(uptime_cs) - t0) * 10))
styx unload >/dev/null 2>&1
result "e2e-kill: an uninterrupted styx load takes $whole_ms ms; $runs runs"

none=0 stale=0 complete=0 unfinished=0 finished=0 killed_loaded=0 bad=0
i=1
while [ "$i" -le "$runs" ]; do
  rm -f /run/styx/loaded.json
  after=
  case $((i % 3)) in
    1) delay=$(random $((whole_ms + 1))) ;;
    2) delay=$((whole_ms * 4 / 5 + $(random $((whole_ms / 4 + 1))))) ;;
    0) delay=$(random $((whole_ms / 2 + 1))) after="the loading record, then " ;;
  esac
  # shellcheck disable=SC2086
  styx load $load_args >/tmp/load.out 2>&1 &
  pid=$!
  if [ -n "$after" ]; then
    # Polled every 5 ms, so the poll hardly slows the load down.
    while kill -0 "$pid" 2>/dev/null && ! grep -q '"loading"' /run/styx/loaded.json 2>/dev/null; do
      usleep 5000
    done
  fi
  usleep $((delay * 1000))
  kill -9 "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  loaded=$(cat /sys/kernel/kexec_loaded)
  styx status >/tmp/status 2>&1
  first=$(head -n 1 /tmp/status)
  left=$(ls -A /run/styx 2>/dev/null | grep -vx files | tr '\n' ' ')
  # /run/styx/files may hold only whole copies, each named ROLE.SHA256 of its own bytes: a kill
  # between a copy and the record leaves copies the next load removes, never a torn one.
  torn=
  for c in /run/styx/files/* /run/styx/files/.[!.]*; do
    [ -e "$c" ] || continue
    name=${c##*/}
    case "$name" in
      kernel.* | initrd.* | dtb.*)
        [ "$(sha256sum "$c" | cut -d' ' -f1)" = "${name#*.}" ] || torn="$torn $name"
        ;;
      *) torn="$torn $name" ;;
    esac
  done
  [ -z "$torn" ] || left="$left files:$torn"
  outcome=
  case "$loaded:$first" in
    "0:styx: nothing is loaded") outcome=none ;;
    "0:styx: nothing is loaded; "*" is stale "*) outcome=stale ;;
    "1:styx: loaded by styx "*)
      # Complete: the record names the files loaded, with the digests of their bytes then.
      if [ "$(grep -c ', unchanged$' /tmp/status)" -eq 2 ]; then outcome=complete; fi
      ;;
    "1:styx: an image is loaded, but "*" did not finish"*) outcome=unfinished ;;
  esac
  case "$left" in "" | "loaded.json ") ;; *) outcome= ;; esac
  [ "$rc" -eq 0 ] && finished=$((finished + 1))
  [ "$rc" -ne 0 ] && [ "$loaded" = 1 ] && killed_loaded=$((killed_loaded + 1))
  if [ -z "$outcome" ]; then
    bad=$((bad + 1))
    result "e2e-kill: run $i: INCONSISTENT: kexec_loaded $loaded, /run/styx holds '$left', status: $(tr '\n' '|' </tmp/status)"
  else
    eval "$outcome=\$(($outcome + 1))"
  fi
  result "e2e-kill: run $i: killed after $after$delay ms, exit $rc, kexec_loaded $loaded, ${outcome:-inconsistent}"
  styx unload >/dev/null 2>&1
  [ "$(cat /sys/kernel/kexec_loaded)" = 0 ] || result "e2e-kill: run $i: still loaded after styx unload"
  i=$((i + 1))
done
result "e2e-kill: summary: runs $runs none $none stale $stale complete $complete unfinished $unfinished finished-before-the-kill $finished killed-with-the-image-loaded $killed_loaded inconsistent $bad"

# The control that the interrupted load is a working one: the same load, left to finish, is
# executed; the purgatory verifies every segment before the next kernel (show-ima) starts.
# shellcheck disable=SC2086
result_block load styx load $load_args
styx exec >&3 2>&1
result "e2e-init: styx exec returned"
